import { createServer, type Server } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { mockDirective, type Scenario } from '@proxy/testkit';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import {
  activeResources,
  chatBody,
  expectResourcesBackTo,
  metricsText,
  metricValue,
  MODEL,
  postChat,
  PROXY_KEY,
  startStack,
  waitFor,
  type Stack,
  UPSTREAM_KEY,
} from './support/stack.js';

// The soak: SOAK=1 (SOAK_REQUESTS=n to change the count). Mixed requests with random upstream faults, hostile
// upstream answers (endless bodies, echoed keys, lies) and client aborts; afterwards every request is accounted
// for in /metrics, no key leaked, and memory and handles are back to baseline.

const TOTAL = Number(process.env.SOAK_REQUESTS ?? 50_000);
const CONCURRENCY = 100;

setFlagsFromString('--expose_gc');
const gc = runInNewContext('gc') as () => void;
const heapAfterGc = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

type Kind =
  | 'ok' | 'ok-stream' | 'http-503' | 'http-500' | 'rate-limit' | 'reset' | 'disconnect-stream' | 'disconnect'
  | 'malformed-json' | 'malformed-sse' | 'bad-request' | 'no-key' | 'abort-stream' | 'abort-waiting'
  | HostileKind;
/** Faults of the hostile upstream (a node:http server of this test), reached through the `hostile` backend. */
type HostileKind = 'echo-key' | 'endless-json' | 'endless-sse-line' | 'html-stream' | 'truncated-stream';
const KINDS: [Kind, number][] = [
  ['ok', 30], ['ok-stream', 30], ['http-503', 4], ['http-500', 3], ['rate-limit', 3], ['reset', 3], ['disconnect-stream', 4],
  ['disconnect', 2], ['malformed-json', 2], ['malformed-sse', 3], ['bad-request', 4], ['no-key', 2], ['abort-stream', 6], ['abort-waiting', 4],
  ['echo-key', 2], ['endless-json', 1], ['endless-sse-line', 0.5], ['html-stream', 1], ['truncated-stream', 1],
];
const HOSTILE: readonly Kind[] = ['echo-key', 'endless-json', 'endless-sse-line', 'html-stream', 'truncated-stream'];

/** Answers as the kind named in the request's last message says; never stops writing for the endless kinds. */
function hostileUpstream(): Server {
  return createServer((request, response) => {
    let body = '';
    request.on('data', (data: Buffer) => (body += data.toString()));
    request.on('end', () => {
      const kind = HOSTILE.find((name) => body.includes(`hostile:${name}`));
      const endless = (piece: string) => {
        const bytes = Buffer.from(piece.repeat(65_536));
        const pump = () => {
          while (!response.destroyed && response.write(bytes));
          if (!response.destroyed) response.once('drain', pump);
        };
        pump();
      };
      const chunk = (delta: object, finish: string | null = null) => `data: ${JSON.stringify({ id: 'h', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
      switch (kind) {
        case 'echo-key':
          response.writeHead(200, { 'content-type': 'application/json' });
          return response.end(JSON.stringify({ id: 'h', choices: [{ index: 0, message: { role: 'assistant', content: `${request.headers.authorization}` }, finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } }));
        case 'endless-json':
          response.writeHead(200, { 'content-type': 'application/json' });
          response.write('{"id":"');
          return endless('x');
        case 'endless-sse-line':
          response.writeHead(200, { 'content-type': 'text/event-stream' });
          response.write('data: {"choices":[{"delta":{"content":"');
          return endless('y');
        case 'html-stream':
          return response.writeHead(200, { 'content-type': 'text/html' }).end('<html>sign in</html>');
        default:
          response.writeHead(200, { 'content-type': 'text/event-stream' });
          return response.end(chunk({ content: 'cut sh' }));
      }
    });
  });
}
const WEIGHT = KINDS.reduce((sum, [, weight]) => sum + weight, 0);
function pick(): Kind {
  let roll = Math.random() * WEIGHT;
  for (const [kind, weight] of KINDS) if ((roll -= weight) < 0) return kind;
  return 'ok';
}

const FAULTS: Partial<Record<Kind, Scenario>> = {
  'http-503': { fault: { type: 'http-error', status: 503 } },
  'http-500': { fault: { type: 'http-error', status: 500 } },
  'rate-limit': { fault: { type: 'rate-limit', retryAfterSeconds: 0 } },
  reset: { fault: { type: 'reset' } },
  'disconnect-stream': { fault: { type: 'disconnect', afterChunks: 2 } },
  disconnect: { fault: { type: 'disconnect' } },
  'malformed-json': { fault: { type: 'malformed-json' } },
  'malformed-sse': { fault: { type: 'malformed-sse' } },
  'abort-stream': { timing: { chunkDelayMs: 30 } },
  'abort-waiting': { fault: { type: 'hang' } },
};

async function one(stack: Stack, n: number, kind: Kind, outcomes: Map<string, number>): Promise<void> {
  const stream = kind.includes('stream') || kind === 'malformed-sse' || kind === 'abort-waiting' || kind === 'endless-sse-line';
  const scenario = FAULTS[kind];
  const content = `${scenario ? mockDirective(scenario) : ''}soak ${n} a b c d e`;
  const controller = new AbortController();
  let body: unknown = HOSTILE.includes(kind) ? chatBody({ stream, model: `hostile:${MODEL}` }, `hostile:${kind}`) : chatBody({ stream }, content);
  let headers: Record<string, string> | undefined;
  if (kind === 'bad-request') body = { model: `nvidia:${MODEL}`, messages: 'not a list' };
  if (kind === 'no-key') headers = { authorization: 'Bearer wrong' };
  // Aborts wait until the proxy has surely seen the request (a stream's first bytes, or the keep-alive it commits
  // while the upstream hangs), so each one is a request the proxy must account for as 499.
  const abortAfter = kind === 'abort-stream' || kind === 'abort-waiting';
  let outcome: string;
  try {
    if (abortAfter) {
      const response = await request(`${stack.baseURL}/chat/completions`, {
        method: 'POST',
        dispatcher: stack.agent,
        headers: { authorization: `Bearer ${PROXY_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: controller.signal,
      });
      for await (const _chunk of response.body) {
        controller.abort();
        break;
      }
      outcome = 'aborted';
    } else {
      const answer = await postChat(stack, body, headers ? { headers } : {});
      outcome = String(answer.status);
      if (answer.text.includes(UPSTREAM_KEY)) outcome = 'error:key-leaked';
    }
  } catch (error) {
    outcome = controller.signal.aborted ? 'aborted' : `error:${(error as { code?: string }).code ?? String(error)}`;
  }
  const key = `${kind} → ${outcome}`;
  outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
}

describe.skipIf(!process.env.SOAK)('soak', () => {
  it(`${TOTAL} mixed requests with random faults and aborts: all accounted for, nothing leaked`, async () => {
    const resourcesBefore = activeResources();
    const hostile = hostileUpstream();
    await new Promise<void>((resolve) => hostile.listen(0, '127.0.0.1', resolve));
    const stack = await startStack({
      config: {
        logging: { level: 'warn' },
        // A small body limit: each endless answer then costs 1 MiB, not 64.
        upstream_body_limit: 1024 * 1024,
        failure_handling: { keepalive_interval: 0.1, retry_base_delay: 0.01, retry_max_delay: 0.1 },
        backends: { hostile: { type: 'openai', api_url: `http://127.0.0.1:${(hostile.address() as { port: number }).port}/v1`, api_key: UPSTREAM_KEY, models: [MODEL] } },
      },
    });
    const rssBefore = process.memoryUsage().rss;
    const outcomes = new Map<string, number>();
    let sent = 0;
    const started = Date.now();
    let heapBaseline = 0;
    const worker = async () => {
      while (sent < TOTAL) {
        const n = sent++;
        if (n === 2_000) heapBaseline = heapAfterGc();
        await one(stack, n, pick(), outcomes);
        if (n % 5_000 === 0) stack.mock.requests.clear(); // the recorder would otherwise hold every body
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const elapsedS = (Date.now() - started) / 1000;

    const metrics = await metricsText(stack);
    const counted = metricValue(metrics, 'nim_proxy_http_requests_total');
    const retries = metricValue(metrics, 'nim_proxy_upstream_retries_total');
    // A stream leaves the gauge when its response has closed, just after the client read its end: waited for.
    await waitFor(async () => metricValue(await metricsText(stack), 'nim_proxy_active_streams') === 0, 5000, 'the active-streams gauge to return to 0');
    stack.mock.requests.clear();
    const heapGrowthMiB = (heapAfterGc() - heapBaseline) / 2 ** 20;
    const rssGrowthMiB = (process.memoryUsage().rss - rssBefore) / 2 ** 20;
    const errors = [...outcomes].filter(([key]) => key.includes('error:'));
    console.info(
      JSON.stringify({ sent: TOTAL, counted, retries, elapsedS, perSecond: Math.round(TOTAL / elapsedS), heapGrowthMiB: Math.round(heapGrowthMiB * 10) / 10, rssGrowthMiB: Math.round(rssGrowthMiB), handles: activeResources(), outcomes: Object.fromEntries([...outcomes].sort()) }, null, 1),
    );
    expect(counted).toBe(TOTAL);
    expect(errors).toEqual([]);
    expect(heapGrowthMiB).toBeLessThan(64);
    await stack.close();
    hostile.closeAllConnections();
    await new Promise((resolve) => hostile.close(resolve));
    await expectResourcesBackTo(resourcesBefore, 10_000);
  }, 60 * 60_000);
});
