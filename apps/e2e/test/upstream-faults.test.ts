import { createServer } from 'node:net';
import { mockDirective } from '@proxy/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  activeResources,
  chatBody,
  expectHealthy,
  expectOpenAIError,
  expectResourcesBackTo,
  expectStreamError,
  metricsText,
  metricValue,
  MODEL,
  openSocketsOn,
  postChat,
  proxyConnections,
  sseData,
  startStack,
  UPSTREAM_KEY,
  waitFor,
  type Stack,
} from './support/stack.js';

// Every upstream fault the mock can produce, streaming and not, with retries off (retries.test.ts covers them):
// the client gets a prompt OpenAI-shaped answer (a status before the stream starts; an error event and a clean end
// after), the proxy stays healthy, and no socket, timer or listener is left behind.

async function closedPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

let stack: Stack;
let baseline: Record<string, number>;
let mockSocketsBefore: number;
beforeAll(async () => {
  baseline = activeResources();
  const port = await closedPort();
  stack = await startStack({
    config: {
      failure_handling: { max_retries: 0, keepalive_interval: 5 },
      backends: { down: { type: 'openai', api_url: `http://127.0.0.1:${port}/v1`, api_key: UPSTREAM_KEY, models: [MODEL] } },
    },
  });
});
beforeEach(() => {
  mockSocketsBefore = openSocketsOn(stack.mock.port);
});
afterEach(async () => {
  // Healthy afterwards, and nothing left open: the client's sockets, the proxy's streams, the mock's sockets
  // (one more is allowed: the keep-alive connection the health check leaves in the proxy's pool).
  await expectHealthy(stack);
  await waitFor(async () => (await proxyConnections(stack)) === 0, 3000, 'client connections to close');
  expect(metricValue(await metricsText(stack), 'nim_proxy_active_streams')).toBe(0);
  expect(openSocketsOn(stack.mock.port)).toBeLessThanOrEqual(mockSocketsBefore + 1);
  stack.mock.reset();
});
afterAll(async () => {
  await stack?.close();
  await expectResourcesBackTo(baseline);
});

const both = [false, true] as const;
const mode = (stream: boolean) => (stream ? 'streaming' : 'non-streaming');

async function expectStatusError(stream: boolean, body: Record<string, unknown>, status: number, code: string | null) {
  const started = Date.now();
  const answer = await postChat(stack, { ...body, stream });
  expect(answer.status).toBe(status);
  expect(answer.headers['content-type']).toMatch(/application\/json/);
  const error = expectOpenAIError(JSON.parse(answer.text));
  if (code !== null) expect(error.code).toBe(code);
  return { answer, error, ms: Date.now() - started };
}

describe.each(both)('upstream faults before the answer (%s)', (stream) => {
  it(`connection refused → 502 upstream_unreachable (${mode(stream)})`, async () => {
    const { ms } = await expectStatusError(stream, chatBody({ model: `down:${MODEL}` }), 502, 'upstream_unreachable');
    expect(ms).toBeLessThan(1000);
  });

  it(`reset before headers → 502 upstream_connection_error (${mode(stream)})`, async () => {
    stack.mock.failNext({ type: 'reset' });
    await expectStatusError(stream, chatBody(), 502, 'upstream_connection_error');
  });

  it(`headers timeout → 504 upstream_timeout within the 2 s timeout's tick (${mode(stream)})`, async () => {
    const { ms } = await expectStatusError(stream, chatBody({ model: `fast:${MODEL}` }, `${mockDirective({ fault: { type: 'hang' } })}hi`), 504, 'upstream_timeout');
    expect(ms).toBeGreaterThanOrEqual(1900);
    expect(ms).toBeLessThan(4500);
  });

  it.each([500, 502, 503, 504])(`upstream %i → the same status, OpenAI-shaped (${mode(stream)})`, async (status) => {
    stack.mock.failNext({ type: 'http-error', status });
    const { error } = await expectStatusError(stream, chatBody(), status, null);
    expect(error.message).toContain(`HTTP ${status}`);
  });

  it(`429 with Retry-After → 429 carrying retry-after (${mode(stream)})`, async () => {
    stack.mock.failNext({ type: 'rate-limit', retryAfterSeconds: 7 });
    const { answer, error } = await expectStatusError(stream, chatBody(), 429, null);
    expect(answer.headers['retry-after']).toBe('7');
    expect(error.type).toBe('rate_limit_error');
  });
});

describe('upstream faults after the answer started', () => {
  it('body-idle timeout (non-streaming) → 504 upstream_timeout', async () => {
    await expectStatusError(false, chatBody({ model: `fast:${MODEL}` }, `${mockDirective({ timing: { firstChunkDelayMs: 30_000 } })}hi`), 504, 'upstream_timeout');
  });

  it('body-idle timeout mid-stream → error event upstream_timeout, then the end', async () => {
    const started = Date.now();
    const answer = await postChat(stack, chatBody({ model: `fast:${MODEL}`, stream: true }, `${mockDirective({ timing: { chunkDelayMs: 30_000 } })}hi`));
    expectStreamError(answer, 'upstream_timeout');
    expect(sseData(answer.text).length).toBeGreaterThanOrEqual(2); // the first chunk came through before the silence
    expect(Date.now() - started).toBeLessThan(4500);
  });

  it('a stream whose first chunk never comes is cut by the body timeout: 504 before anything was sent, not left open', async () => {
    const answer = await postChat(stack, chatBody({ model: `fast:${MODEL}`, stream: true }, `${mockDirective({ timing: { firstChunkDelayMs: 60_000 } })}hi`));
    expect(answer.status).toBe(504);
    expect(expectOpenAIError(JSON.parse(answer.text)).code).toBe('upstream_timeout');
  });

  it('disconnect mid-stream → the frames already sent, an error event, then the end', async () => {
    stack.mock.failNext({ type: 'disconnect', afterChunks: 3 });
    const answer = await postChat(stack, chatBody({ stream: true }));
    expectStreamError(answer, 'upstream_connection_error');
    const frames = sseData(answer.text).slice(0, -1);
    expect(frames.length).toBe(3);
    for (const frame of frames) expect(JSON.parse(frame).object).toBe('chat.completion.chunk');
  });

  it("an error event NIM sends mid-stream → NIM's error as the last event, no [DONE], and the request logged as failed", async () => {
    stack.mock.failNext({ type: 'stream-error', afterChunks: 3, message: 'engine died mid-way' });
    const answer = await postChat(stack, chatBody({ stream: true }, 'one two three four'), { headers: { 'x-request-id': 'stream-error-1' } });
    expect(answer.status).toBe(200);
    const events = sseData(answer.text);
    expect(events).not.toContain('[DONE]');
    expect((JSON.parse(events.at(-1)!) as { error: { message: string } }).error.message).toBe('engine died mid-way');
    await waitFor(() => stack.logs.some((line) => line.includes('"stream-error-1"')), 2000, 'the log line');
    const line = JSON.parse(stack.logs.find((entry) => entry.includes('"stream-error-1"'))!) as Record<string, unknown>;
    expect(line).toMatchObject({ status: 200, stream: true, error_code: 'upstream_stream_error' });
  });

  it('disconnect mid-body (non-streaming) → 502 upstream_connection_error', async () => {
    stack.mock.failNext({ type: 'disconnect' });
    await expectStatusError(false, chatBody(), 502, 'upstream_connection_error');
  });

  it('malformed JSON → 502 upstream_invalid_response', async () => {
    stack.mock.failNext({ type: 'malformed-json' });
    await expectStatusError(false, chatBody(), 502, 'upstream_invalid_response');
  });

  it("an error event before the stream's first chunk → its status and message as a JSON error, nothing streamed", async () => {
    stack.mock.failNext({ type: 'stream-error', afterChunks: 0, message: 'engine died at once' });
    const { answer, error } = await expectStatusError(true, chatBody(), 502, 'upstream_stream_error');
    expect(error.message).toContain('engine died at once');
    expect(answer.text).not.toContain('data:');
  });

  it('malformed SSE → never [DONE] and never the garbage: a 502, or an error event after the frames before it', async () => {
    stack.mock.failNext({ type: 'malformed-sse' });
    const answer = await postChat(stack, chatBody({ stream: true }, 'one two three'));
    // The garbage follows the first frame: in the stream's first read (the proxy has committed nothing yet) it is a
    // 502; in a later read, an error event. Which one depends on how the socket delivers the frames.
    if (answer.status === 502) {
      expect(expectOpenAIError(JSON.parse(answer.text)).code).toBe('upstream_invalid_response');
      return;
    }
    expectStreamError(answer, 'upstream_invalid_response');
    // What came before the garbage was forwarded, each frame a chunk a client's JSON.parse takes.
    for (const data of sseData(answer.text)) expect(() => JSON.parse(data) as unknown).not.toThrow();
  });

});
