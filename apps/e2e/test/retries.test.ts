import { createServer } from 'node:net';
import { mockDirective } from '@proxy/testkit';
import { Agent, buildConnector, errors } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  chatBody,
  expectHealthy,
  expectOpenAIError,
  expectStreamError,
  metricsText,
  metricValue,
  MODEL,
  postChat,
  sseData,
  startStack,
  UPSTREAM_KEY,
  waitFor,
  type Stack,
} from './support/stack.js';

// Retries of upstream calls that failed before the client received a byte (failure_handling.max_retries), end
// to end against the mock. The proxy runs with its default max_retries (2) and a short backoff base.

const chats = (stack: Stack) => stack.mock.requests.to('/chat/completions').length;
const retries = async (stack: Stack, reason?: string) =>
  metricValue(await metricsText(stack), 'nim_proxy_upstream_retries_total', reason ? { reason } : {});

let stack: Stack;
beforeAll(async () => {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  stack = await startStack({
    config: {
      failure_handling: { keepalive_interval: 2, retry_base_delay: 0.05, retry_max_delay: 8 },
      backends: { down: { type: 'openai', api_url: `http://127.0.0.1:${port}/v1`, api_key: UPSTREAM_KEY, models: [MODEL] } },
    },
  });
});
afterEach(() => stack.mock.reset());
afterAll(async () => {
  await stack?.close();
});

describe('retried', () => {
  it('503 twice, then success: the client gets 200 and the mock saw 3 requests; counted and logged', async () => {
    const before = await retries(stack, 'http_503');
    stack.mock.failNext({ type: 'http-error', status: 503 }, 2);
    const answer = await postChat(stack, chatBody({}, 'third time lucky'));
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text).choices[0].message.content).toBe('You said: third time lucky');
    expect(chats(stack)).toBe(3);
    expect((await retries(stack, 'http_503')) - before).toBe(2);
    const logged = stack.logs.filter((line) => line.includes('retrying upstream request')).map((line) => JSON.parse(line));
    expect(logged.at(-1)).toMatchObject({ backend: 'nvidia', retry: 2, reason: 'http_503' });
  });

  it('streaming: 502 and 504 before the headers, then the stream', async () => {
    stack.mock.failNext({ type: 'http-error', status: 502 });
    stack.mock.failNext({ type: 'http-error', status: 504 });
    const answer = await postChat(stack, chatBody({ stream: true }, 'stream me'));
    expect(answer.status).toBe(200);
    expect(sseData(answer.text).at(-1)).toBe('[DONE]');
    expect(chats(stack)).toBe(3);
  });

  it('streaming: an error event before the first chunk, then the stream (nothing had reached the client)', async () => {
    stack.mock.failNext({ type: 'stream-error', afterChunks: 0, message: 'engine warming up' });
    const answer = await postChat(stack, chatBody({ stream: true }, 'stream me'));
    expect(answer.status).toBe(200);
    const data = sseData(answer.text);
    expect(data.at(-1)).toBe('[DONE]');
    expect(answer.text).not.toContain('engine warming up');
    expect(chats(stack)).toBe(2);
  });

  it('429 with Retry-After: 1 waits about a second, then succeeds', async () => {
    stack.mock.failNext({ type: 'rate-limit', retryAfterSeconds: 1 });
    const started = Date.now();
    const answer = await postChat(stack, chatBody());
    const elapsed = Date.now() - started;
    expect(answer.status).toBe(200);
    expect(chats(stack)).toBe(2);
    expect(elapsed).toBeGreaterThanOrEqual(950);
    expect(elapsed).toBeLessThan(3000);
  });

  it('a reset before the headers is retried', async () => {
    stack.mock.failNext({ type: 'reset' });
    expect((await postChat(stack, chatBody())).status).toBe(200);
    expect(chats(stack)).toBe(2);
  });

  it('an unreachable upstream is tried 1 + max_retries times, then 502', async () => {
    const before = await retries(stack, 'upstream_unreachable');
    const answer = await postChat(stack, chatBody({ model: `down:${MODEL}` }));
    expect(answer.status).toBe(502);
    expect(expectOpenAIError(JSON.parse(answer.text)).code).toBe('upstream_unreachable');
    expect((await retries(stack, 'upstream_unreachable')) - before).toBe(2);
  });

  it('gives up after max_retries with the last upstream status', async () => {
    stack.mock.failNext({ type: 'http-error', status: 503 }, 5);
    const answer = await postChat(stack, chatBody());
    expect(answer.status).toBe(503);
    expect(chats(stack)).toBe(3);
  });
});

describe('not retried', () => {
  it('400 (a client mistake the upstream caught)', async () => {
    stack.mock.failNext({ type: 'http-error', status: 400 });
    expect((await postChat(stack, chatBody())).status).toBe(400);
    expect(chats(stack)).toBe(1);
  });

  it('a disconnect mid-stream: the client already has bytes', async () => {
    stack.mock.failNext({ type: 'disconnect', afterChunks: 2 });
    expectStreamError(await postChat(stack, chatBody({ stream: true })), 'upstream_connection_error');
    expect(chats(stack)).toBe(1);
  });

  it('a disconnect mid-body (non-streaming): the upstream had answered and may have done the work', async () => {
    stack.mock.failNext({ type: 'disconnect' });
    expect((await postChat(stack, chatBody())).status).toBe(502);
    expect(chats(stack)).toBe(1);
  });

  it("the proxy's own timeout (upstream_timeout): the upstream may still be working", async () => {
    const answer = await postChat(stack, chatBody({ model: `fast:${MODEL}` }, `${mockDirective({ fault: { type: 'hang' } })}hi`));
    expect(answer.status).toBe(504);
    expect(chats(stack)).toBe(1);
  });

  it('a 429 whose Retry-After is above retry_max_delay: the client gets it at once, with retry-after', async () => {
    stack.mock.failNext({ type: 'rate-limit', retryAfterSeconds: 30 });
    const answer = await postChat(stack, chatBody());
    expect(answer.status).toBe(429);
    expect(answer.headers['retry-after']).toBe('30');
    expect(chats(stack)).toBe(1);
  });

  it('a stream whose retry would outlast the keep-alive interval: the real status while it can still be sent', async () => {
    stack.mock.failNext({ type: 'rate-limit', retryAfterSeconds: 3 }); // interval 2 s
    const started = Date.now();
    const answer = await postChat(stack, chatBody({ stream: true }));
    expect(answer.status).toBe(429);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(chats(stack)).toBe(1);
  });

  it('after the client aborted, during the wait', async () => {
    stack.mock.failNext({ type: 'rate-limit', retryAfterSeconds: 2 });
    const controller = new AbortController();
    const pending = postChat(stack, chatBody(), { signal: controller.signal });
    await waitFor(() => chats(stack) === 1, 2000, 'the first attempt');
    setTimeout(() => controller.abort(), 200);
    await expect(pending).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(chats(stack)).toBe(1);
    await expectHealthy(stack);
  });
});

describe('with max_retries 0', () => {
  it('nothing is retried', async () => {
    const noRetries = await startStack({ config: { failure_handling: { max_retries: 0 } } });
    try {
      noRetries.mock.failNext({ type: 'http-error', status: 503 });
      expect((await postChat(noRetries, chatBody())).status).toBe(503);
      expect(chats(noRetries)).toBe(1);
      expect(await retries(noRetries)).toBe(0);
    } finally {
      await noRetries.close();
    }
  });
});

describe('connect timeouts', () => {
  it('are retried (upstream_connect_timeout), and reported as 504 when every attempt times out', async () => {
    // The sandbox completes every TCP handshake, so the connect stage is made to time out in the dispatcher's
    // connector, the way undici's own connect timer fails it.
    let timeouts = 0;
    const connect = buildConnector({});
    const dispatcher = new Agent({
      keepAliveTimeout: 10,
      keepAliveMaxTimeout: 10,
      connect(options, callback) {
        if (timeouts > 0) {
          timeouts--;
          setTimeout(() => callback(new errors.ConnectTimeoutError(), null), 100);
          return;
        }
        connect(options, callback);
      },
    });
    const slowConnects = await startStack({ dispatcher });
    try {
      timeouts = 1;
      expect((await postChat(slowConnects, chatBody())).status).toBe(200);
      expect(await retries(slowConnects, 'upstream_connect_timeout')).toBe(1);
      // The idle connection closes (keepAliveTimeout 10 ms): the next request connects. Waited for, not timed.
      await waitFor(() => Object.values(dispatcher.stats).every((stats) => stats.connected === 0), 5000, 'the idle upstream connection to close');
      timeouts = 3;
      const answer = await postChat(slowConnects, chatBody());
      expect(answer.status).toBe(504);
      expect(expectOpenAIError(JSON.parse(answer.text)).code).toBe('upstream_connect_timeout');
      expect(await retries(slowConnects, 'upstream_connect_timeout')).toBe(3);
      await expectHealthy(slowConnects);
    } finally {
      await slowConnects.close();
      await dispatcher.close();
    }
  });
});
