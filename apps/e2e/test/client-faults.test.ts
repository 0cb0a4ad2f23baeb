import { createServer, type ServerResponse } from 'node:http';
import { connect, Socket, type AddressInfo } from 'node:net';
import { mockDirective } from '@proxy/testkit';
import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import {
  activeResources,
  chatBody,
  expectHealthy,
  expectResourcesBackTo,
  metricsText,
  metricValue,
  postChat,
  MODEL,
  PROXY_KEY,
  proxyConnections,
  sseData,
  startStack,
  waitFor,
  UPSTREAM_KEY,
  type Stack,
} from './support/stack.js';

// Clients that leave at every phase, read slowly, come in a thousand at once, or are in flight at shutdown.

let stack: Stack;
let baseline: Record<string, number>;
beforeAll(async () => {
  baseline = activeResources();
  stack = await startStack({ config: { failure_handling: { keepalive_interval: 1 } } });
});
afterEach(async () => {
  await waitFor(async () => (await proxyConnections(stack)) === 0, 3000, 'client connections to close');
  stack.mock.reset();
});
afterAll(async () => {
  await stack?.close();
  await expectResourcesBackTo(baseline);
});

const activeStreams = async () => metricValue(await metricsText(stack), 'nim_proxy_active_streams');
const closedRequests = async () =>
  metricValue(await metricsText(stack), 'nim_proxy_http_requests_total', { route: '/v1/chat/completions', status: '499' });

describe('clients that abort', () => {
  // Each phase: how long to wait before aborting, and what the upstream does meanwhile.
  it.each([
    ['before the upstream answers (non-streaming)', false, { fault: { type: 'hang' } }, 300],
    ['before the upstream answers (streaming, before 200 is committed)', true, { fault: { type: 'hang' } }, 300],
    ['after 200 was committed on keep-alives (streaming)', true, { fault: { type: 'hang' } }, 1600],
    ['mid-stream', true, { timing: { chunkDelayMs: 150 } }, 600],
    ['mid-body (non-streaming, slow body)', false, { timing: { firstChunkDelayMs: 5000 } }, 300],
  ] as const)('%s: the upstream request is closed at once and nothing is left', async (_phase, stream, scenario, abortAfterMs) => {
    const before = new Map(handlesOn(stack.mock.port).map((socket) => [socket, socket.bytesRead]));
    const aborted499 = await closedRequests();
    const controller = new AbortController();
    const pending = postChat(stack, chatBody({ stream }, `${mockDirective(scenario)}a b c d e f g h i j k l m n o p`), { signal: controller.signal });
    await waitFor(() => stack.mock.requests.to('/chat/completions').length === 1, 2000, 'the upstream request');
    // The mock's side of the upstream connection: the socket that read the most since (a first request may also
    // bring the connector's GET /models health probe).
    const readSince = (socket: Socket) => socket.bytesRead - (before.get(socket) ?? 0);
    const carrying = handlesOn(stack.mock.port).sort((a, b) => readSince(b) - readSince(a));
    expect(readSince(carrying[0]!)).toBeGreaterThan(100);
    await new Promise((resolve) => setTimeout(resolve, abortAfterMs));
    controller.abort();
    const abortedAt = Date.now();
    await pending.catch(() => undefined);
    // The proxy closes its upstream socket: the mock's side of it goes away promptly.
    await waitFor(() => carrying[0]!.destroyed, 1000, 'the mock to see its request closed');
    expect(Date.now() - abortedAt).toBeLessThan(1000);
    await waitFor(async () => (await activeStreams()) === 0, 1000, 'the active-streams gauge to return to 0');
    await waitFor(async () => (await closedRequests()) === aborted499 + 1, 1000, 'the request to be counted as 499');
    await expectHealthy(stack);
  });
});

describe('a client that stops reading', () => {
  it('back-pressures the upstream: the proxy buffers a bounded amount, not the stream', async () => {
    const words = 60_000;
    const wordSize = 200;
    const content = Array.from({ length: words }, (_, i) => `${String(i).padStart(6, '0')}${'x'.repeat(wordSize - 6)}`).join(' ');
    const streamBytes = words * (wordSize + 150); // each word is one frame of about this size
    stack.mock.enqueue({ content });
    // A limit the whole answer fits in: the mock cuts an answer at max_tokens, and the connector sends its default.
    const body = JSON.stringify(chatBody({ stream: true, max_tokens: 1_000_000 }));
    const { port } = new URL(stack.proxy.url);
    const socket = connect(Number(port), '127.0.0.1');
    onTestFinished(() => void socket.destroy()); // a failed check must not leave the stream open for the next test
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(
      `POST /v1/chat/completions HTTP/1.1\r\nhost: proxy\r\nauthorization: Bearer ${PROXY_KEY}\r\n` +
        `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
    await new Promise((resolve) => socket.once('data', resolve));
    socket.pause();
    // Let the upstream run as far as it can while nobody reads (the busiest of the mock's sockets is this stream's).
    const mockSocket = () => handlesOn(stack.mock.port).sort((a, b) => b.bytesWritten - a.bytesWritten)[0];
    const upstreamWritten = () => mockSocket()?.bytesWritten ?? 0;
    let previous = -1;
    for (const deadline = Date.now() + 15_000; ; ) {
      await new Promise((resolve) => setTimeout(resolve, 300));
      const now = upstreamWritten();
      if (now === previous && now > 0) break;
      previous = now;
      if (Date.now() > deadline) throw new Error('the upstream never stalled');
    }
    const proxySide = handlesOn(Number(port))[0]!;
    // The proxy's end of the upstream connection: the socket to the mock that read the most.
    const upstreamSide = (process as unknown as { _getActiveHandles(): unknown[] })
      ._getActiveHandles()
      .filter((h): h is Socket => h instanceof Socket && !h.destroyed && h.remotePort === stack.mock.port)
      .sort((a, b) => b.bytesRead - a.bytesRead)[0]!;
    const stalledAt = upstreamWritten();
    console.info(
      `paused client: upstream stalled after ${stalledAt} of ~${streamBytes} bytes; ` +
        `proxy buffers ${proxySide.writableLength} bytes to the client, ${upstreamSide.readableLength} from the upstream`,
    );
    // What the kernel's socket buffers absorb depends on the machine (autotuned, up to tcp_rmem's maximum), so the
    // bound is on what the proxy itself holds: a little on each side, while the mock has data it cannot send.
    expect(stalledAt).toBeLessThan(streamBytes);
    expect(proxySide.writableLength).toBeLessThan(256 * 1024);
    expect(upstreamSide.readableLength).toBeLessThan(256 * 1024);
    expect(mockSocket()!.writableLength).toBeGreaterThan(0); // back-pressure reached the mock

    // Reading again drains everything, in order, to [DONE].
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.resume();
    await new Promise((resolve) => socket.once('end', resolve));
    // Chunked framing sits between the frames; each frame was written whole.
    expect(received).toContain('data: [DONE]');
    expect(received.length).toBeGreaterThan(streamBytes / 2);
    expect(received).toContain(`${String(words - 1).padStart(6, '0')}x`);
  }, 40_000);
});

function handlesOn(localPort: number): Socket[] {
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
  return handles.filter((h): h is Socket => h instanceof Socket && !h.destroyed && h.localPort === localPort);
}

describe('load', () => {
  it('1,000 concurrent streams all complete, and the gauge returns to 0', async () => {
    const count = 1000;
    // An upstream that holds every stream until the test lets them go: the proxy carries all of them at once,
    // however slowly the machine sends them, and the test sees it without sampling.
    const upstream = await startHeldUpstream();
    const held = await startStack({
      config: {
        failure_handling: { keepalive_interval: 1 },
        backends: { held: { type: 'openai', api_url: upstream.url, api_key: UPSTREAM_KEY, models: [MODEL] } },
      },
    });
    const streamsOpen = async () => metricValue(await metricsText(held), 'nim_proxy_active_streams');
    onTestFinished(async () => {
      await held.close();
      await upstream.close();
    });
    const started = Date.now();
    const answers = Array.from({ length: count }, async (_, i) => {
      const answer = await postChat(held, { ...chatBody({ stream: true }, `request ${i}`), model: `held:${MODEL}` });
      const events = sseData(answer.text);
      const content = events
        .slice(0, -1)
        .map((data) => (JSON.parse(data) as { choices: { delta?: { content?: string } }[] }).choices[0]?.delta?.content ?? '')
        .join('');
      return { status: answer.status, done: events.at(-1) === '[DONE]', ok: content === `You said: request ${i}` };
    });
    // All at the upstream at once, and every one committed to its client on silence: the gauge counts them all.
    await waitFor(() => upstream.waiting() === count, 30_000, `${count} requests to reach the upstream`);
    await waitFor(async () => (await streamsOpen()) === count, 30_000, `${count} streams to be open at once`);
    upstream.release();
    const results = await Promise.all(answers);
    expect(results.filter((r) => r.status === 200 && r.done && r.ok)).toHaveLength(count);
    await waitFor(async () => (await streamsOpen()) === 0, 5000, 'the gauge to return to 0');
    console.info(`1000 concurrent streams: ${Date.now() - started} ms`);
  }, 90_000);
});

/** A chat upstream that holds each streaming request until `release()`, then answers `You said: <text>`. */
async function startHeldUpstream(): Promise<{ url: string; waiting(): number; release(): void; close(): Promise<void> }> {
  const waiting: { response: ServerResponse; text: string }[] = [];
  let released = false;
  const answer = ({ response, text }: { response: ServerResponse; text: string }) => {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    const frame = (delta: object, finish: string | null) =>
      `data: ${JSON.stringify({ id: 'held', object: 'chat.completion.chunk', created: 1, model: MODEL, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    response.end(`${frame({ role: 'assistant', content: `You said: ${text}` }, null)}${frame({}, 'stop')}data: [DONE]\n\n`);
  };
  const server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (piece: string) => (body += piece));
    request.on('end', () => {
      const held = { response, text: (JSON.parse(body) as { messages: { content: string }[] }).messages[0]!.content };
      if (released) answer(held);
      else waiting.push(held);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    waiting: () => waiting.length,
    release() {
      released = true;
      for (const held of waiting.splice(0)) answer(held);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('graceful shutdown', () => {
  it('lets streams in flight finish and refuses new connections', async () => {
    const closing = await startStack();
    const streams = Array.from({ length: 5 }, (_, i) =>
      postChat(closing, chatBody({ stream: true }, `${mockDirective({ timing: { chunkDelayMs: 150 } })}in flight ${i} a b c`)),
    );
    await waitFor(() => closing.mock.requests.to('/chat/completions').length === 5, 2000, 'the streams to start');
    const closed = closing.proxy.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    await expect(request(`${closing.proxy.url}/healthz`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    const answers = await Promise.all(streams);
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(sseData(answer.text).at(-1)).toBe('[DONE]');
    }
    expect(await closed).toBe(true);
    await closing.agent.close();
    await closing.mock.close();
  });
});

