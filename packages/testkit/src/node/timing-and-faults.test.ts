import { connect } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_API_KEY } from '../handlers/auth.js';
import { mockDirective } from '../handlers/directive.js';
import type { Scenario } from '../handlers/scenario.js';
import { TestClient } from '../test-support/http-client.js';
import { parseSse } from '../test-support/sse.js';
import { startMockNim, type MockNimServer } from './start-mock-nim.js';

const client = new TestClient();
let nim: MockNimServer;

beforeAll(async () => {
  nim = await startMockNim();
});
afterEach(() => nim.reset());
afterAll(async () => {
  await nim.close();
  await client.close();
});

/** A chat body carrying `scenario` as a directive: the channel that survives a proxy. */
const directed = (scenario: Scenario, extra: Record<string, unknown> = {}) => ({
  model: 'meta/llama3-70b-instruct',
  messages: [{ role: 'user', content: `${mockDirective(scenario)}one two three` }],
  ...extra,
});

interface RawExchange {
  /** ms from sending the request to each received piece. */
  arrivals: Array<{ at: number; text: string }>;
  error?: NodeJS.ErrnoException;
}

/** Speaks HTTP/1.1 over a bare socket, to see exactly when bytes arrive and how the connection ends. */
function rawPost(url: string, body: unknown): Promise<RawExchange> {
  const { hostname, port, pathname } = new URL(url);
  const payload = JSON.stringify(body);
  return new Promise((resolve) => {
    const exchange: RawExchange = { arrivals: [] };
    const socket = connect(Number(port), hostname);
    let start = 0;
    socket.on('connect', () => {
      start = performance.now();
      socket.write(
        `POST ${pathname}/chat/completions HTTP/1.1\r\nHost: ${hostname}\r\nAuthorization: Bearer ${DEFAULT_API_KEY}\r\n` +
          `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(payload)}\r\nConnection: close\r\n\r\n${payload}`,
      );
    });
    socket.on('data', (data) => exchange.arrivals.push({ at: performance.now() - start, text: data.toString() }));
    socket.on('error', (error) => (exchange.error = error));
    socket.on('close', () => resolve(exchange));
  });
}

describe('timing', () => {
  it('withholds every byte, status line included, for firstByteDelayMs', async () => {
    const exchange = await rawPost(nim.url, directed({ timing: { firstByteDelayMs: 300 } }));
    expect(exchange.arrivals[0]?.at).toBeGreaterThanOrEqual(280);
    expect(exchange.arrivals[0]?.text.startsWith('HTTP/1.1 200 OK')).toBe(true);
  });

  it('sends headers at once but the first chunk only after firstChunkDelayMs', async () => {
    const start = performance.now();
    // A wide gap between the two bounds, so a busy machine's slow request cannot pass for the delay.
    const response = await client.post(`${nim.url}/chat/completions`, directed({ timing: { firstChunkDelayMs: 1000 } }, { stream: true }));
    expect(performance.now() - start).toBeLessThan(700);
    const iterator = response.body[Symbol.asyncIterator]();
    await iterator.next();
    expect(performance.now() - start).toBeGreaterThanOrEqual(980);
    await response.body.dump();
  });

  it('spaces chunks by chunkDelayMs, flushing each one', async () => {
    const response = await client.post(`${nim.url}/chat/completions`, directed({ timing: { chunkDelayMs: 60 } }, { stream: true }));
    const arrivals: number[] = [];
    let text = '';
    for await (const chunk of response.body) {
      arrivals.push(performance.now());
      text += String(chunk);
    }
    const frames = parseSse(text).data.length;
    expect(arrivals.length).toBe(frames);
    // The first frame may sit in the client's buffer before the loop starts: measure from the second one on. A busy
    // machine can read one frame late, which shortens the gap after it, so the checks are the span and the median.
    const measured = arrivals.slice(1);
    const gaps = measured.slice(1).map((at, i) => at - measured[i]!);
    expect(gaps.length).toBeGreaterThanOrEqual(3);
    expect(measured.at(-1)! - measured[0]!).toBeGreaterThanOrEqual(0.9 * 60 * gaps.length);
    expect(gaps.sort((a, b) => a - b)[Math.floor(gaps.length / 2)]).toBeGreaterThanOrEqual(50);
  });

  it('applies a default timing from the options to every request', async () => {
    const slow = await startMockNim({ scenario: { timing: { firstByteDelayMs: 150 } } });
    try {
      const start = performance.now();
      const response = await client.get(`${slow.url}/models`);
      expect(performance.now() - start).toBeGreaterThanOrEqual(130);
      await response.body.dump();
    } finally {
      await slow.close();
    }
  });
});

describe('faults on the socket', () => {
  it('resets the connection before the headers', async () => {
    await expect(client.post(`${nim.url}/chat/completions`, directed({ fault: { type: 'reset' } }))).rejects.toMatchObject({
      code: expect.stringMatching(/^(ECONNRESET|UND_ERR_SOCKET)$/),
    });
    const exchange = await rawPost(nim.url, directed({ fault: { type: 'reset' } }));
    expect(exchange.arrivals).toEqual([]);
    expect(exchange.error?.code).toBe('ECONNRESET');
  });

  it('drops the connection mid-stream after N chunks', async () => {
    const response = await client.post(
      `${nim.url}/chat/completions`,
      directed({ fault: { type: 'disconnect', afterChunks: 3 } }, { stream: true }),
    );
    expect(response.statusCode).toBe(200);
    await expect(response.body.text()).rejects.toMatchObject({ code: 'UND_ERR_SOCKET' });

    const exchange = await rawPost(nim.url, directed({ fault: { type: 'disconnect', afterChunks: 3 } }, { stream: true }));
    const raw = exchange.arrivals.map((arrival) => arrival.text).join('');
    expect(raw).toContain('HTTP/1.1 200 OK');
    expect(raw.match(/data: \{/g)).toHaveLength(3);
    expect(raw).not.toContain('[DONE]');
    expect(raw.endsWith('0\r\n\r\n')).toBe(false);
  });

  it('drops a JSON answer half-way', async () => {
    const response = await client.post(`${nim.url}/chat/completions`, directed({ fault: { type: 'disconnect' } }));
    expect(response.statusCode).toBe(200);
    await expect(response.body.text()).rejects.toThrow();
  });

  it('never answers until the client gives up, and keeps serving others', async () => {
    const start = performance.now();
    await expect(
      client.post(`${nim.url}/chat/completions`, directed({ fault: { type: 'hang' } }), { signal: AbortSignal.timeout(150) }),
    ).rejects.toMatchObject({ name: expect.stringMatching(/AbortError|TimeoutError/) });
    expect(performance.now() - start).toBeGreaterThanOrEqual(140);
    const response = await client.get(`${nim.url}/models`);
    expect(response.statusCode).toBe(200);
    await response.body.dump();
    expect(nim.requests.to('/chat/completions')).toHaveLength(1);
  });

  it('close() ends hanging requests and open streams promptly', async () => {
    const doomed = await startMockNim();
    const hanging = client.post(`${doomed.url}/chat/completions`, directed({ fault: { type: 'hang' } })).then(
      () => 'answered',
      () => 'failed',
    );
    const stream = await client.post(`${doomed.url}/chat/completions`, directed({ timing: { chunkDelayMs: 10_000 } }, { stream: true }));
    const streamed = stream.body.text().then(
      () => 'completed',
      () => 'failed',
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    const start = performance.now();
    await doomed.close();
    expect(performance.now() - start).toBeLessThan(1000);
    expect(await hanging).toBe('failed');
    expect(await streamed).toBe('failed');
  });
});

describe('faults in the body', () => {
  it('sends garbage lines in a stream that still ends with [DONE]', async () => {
    const response = await client.post(`${nim.url}/chat/completions`, directed({ fault: { type: 'malformed-sse' } }, { stream: true }));
    const parsed = parseSse(await response.body.text());
    expect(parsed.garbage).toContain('this line is not SSE');
    expect(parsed.data).toContain('{"id": "chatcmpl-broken", "choices": [{"delta": ');
    expect(parsed.data[parsed.data.length - 1]).toBe('[DONE]');
  });

  it("fails a stream with vLLM's error event after the frames asked for, then [DONE]", async () => {
    const response = await client.post(`${nim.url}/chat/completions`, directed({ fault: { type: 'stream-error', afterChunks: 1, message: 'engine died' } }, { stream: true }));
    expect(response.statusCode).toBe(200);
    const parsed = parseSse(await response.body.text());
    expect(parsed.data).toHaveLength(3);
    expect(JSON.parse(parsed.data[0]!)).toMatchObject({ object: 'chat.completion.chunk' });
    expect(JSON.parse(parsed.data[1]!)).toEqual({ error: { object: 'error', message: 'engine died', type: 'InternalServerError', param: null, code: 500 } });
    expect(parsed.data[2]).toBe('[DONE]');
  });

  it('sends a complete but invalid JSON body', async () => {
    const response = await client.post(`${nim.url}/chat/completions`, directed({ fault: { type: 'malformed-json' } }));
    expect(response.statusCode).toBe(200);
    const text = await response.body.text();
    expect(text.startsWith('{"id":"chatcmpl-mock-1"')).toBe(true);
    expect(() => JSON.parse(text)).toThrow();
  });

  it.each([500, 502, 503, 418])('answers status %i with problem details', async (status) => {
    const response = await client.post(`${nim.url}/chat/completions`, directed({ fault: { type: 'http-error', status } }));
    expect(response.statusCode).toBe(status);
    expect(await response.body.json()).toMatchObject({ status });
  });
});
