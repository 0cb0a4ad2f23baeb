import { buildServer } from '@proxy/server';
import { startMockNim, type MockNimServer } from '@proxy/testkit/node';
import fc from 'fast-check';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

type FastifyInstance = ReturnType<typeof buildServer>;
import { expectOpenAIError, MODEL, PROXY_KEY, startStack, UPSTREAM_KEY, type Stack } from './support/stack.js';

// Hostile input: property-based bodies and headers against the real app (app.inject for speed; the real mock
// behind it), then what only a socket can send. Never a 5xx for a client's mistake, never a crash, always an
// OpenAI-shaped error.

const BODY_LIMIT = 256 * 1024;
let mock: MockNimServer;
let app: FastifyInstance;
beforeAll(async () => {
  mock = await startMockNim({ apiKey: UPSTREAM_KEY });
  app = buildServer(
    {
      auth: { api_keys: [PROXY_KEY] },
      logging: { level: 'silent' },
      default_backend: 'nvidia',
      body_limit: BODY_LIMIT,
      failure_handling: { max_retries: 0 },
      backends: { nvidia: { type: 'nvidia', api_url: mock.url, api_key: UPSTREAM_KEY } },
    },
    { env: {} },
  );
  await app.ready();
});
afterAll(async () => {
  await app?.close();
  await mock?.close();
});

type Injected = Awaited<ReturnType<FastifyInstance['inject']>>;
function post(payload: string | Buffer, headers: Record<string, string> = {}): Promise<Injected> {
  return app.inject({
    method: 'POST',
    url: '/v1/chat/completions',
    headers: { authorization: `Bearer ${PROXY_KEY}`, 'content-type': 'application/json', ...headers },
    payload,
  });
}

/** A client's mistake: 4xx, OpenAI-shaped. An upstream's 4xx verdict (the mock is strict) is fine too. */
function expectClientError(response: Injected): void {
  expect(response.statusCode, response.body).toBeGreaterThanOrEqual(200);
  expect(response.statusCode, response.body).toBeLessThan(500);
  if (response.statusCode >= 400) {
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expectOpenAIError(JSON.parse(response.body));
  }
}

const RUNS = { numRuns: 150 };

describe('property: request bodies', () => {
  it('any JSON value', async () => {
    await fc.assert(fc.asyncProperty(fc.jsonValue(), async (value) => expectClientError(await post(JSON.stringify(value)))), RUNS);
  });

  it('chat-shaped objects with hostile fields', async () => {
    const anyValue = fc.oneof(fc.jsonValue(), fc.string(), fc.constant(null), fc.integer(), fc.double());
    const message = fc.record(
      { role: fc.oneof(fc.constantFrom('user', 'system', 'assistant', 'tool', 'developer'), fc.string()), content: anyValue, name: anyValue },
      { requiredKeys: [] },
    );
    const body = fc.record(
      {
        model: fc.oneof(fc.constant(`nvidia:${MODEL}`), fc.constant(MODEL), fc.string(), anyValue),
        messages: fc.oneof(fc.array(message, { maxLength: 4 }), anyValue),
        stream: fc.oneof(fc.boolean(), anyValue),
        max_tokens: anyValue,
        temperature: anyValue,
        tools: anyValue,
        stream_options: anyValue,
      },
      { requiredKeys: [] },
    );
    await fc.assert(fc.asyncProperty(body, async (value) => expectClientError(await post(JSON.stringify(value)))), RUNS);
  });

  it('arbitrary bytes, including non-UTF-8, labelled as JSON', async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 512 }), async (bytes) => expectClientError(await post(Buffer.from(bytes)))), RUNS);
  });

  it('valid JSON with invalid UTF-8 inside a string', async () => {
    const prefix = Buffer.from(`{"model":"nvidia:${MODEL}","messages":[{"role":"user","content":"`);
    const suffix = Buffer.from('"}]}');
    const response = await post(Buffer.concat([prefix, Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80]), suffix]));
    expectClientError(response);
  });
});

describe('property: headers', () => {
  it('any content type: JSON ones parse, others are 415', async () => {
    const contentType = fc.oneof(fc.string(), fc.constantFrom('text/plain', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', 'application/xml', 'application/json; charset=latin1'));
    await fc.assert(
      fc.asyncProperty(contentType, async (type) => {
        const response = await post(JSON.stringify({ model: `nvidia:${MODEL}`, messages: [{ role: 'user', content: 'hi' }] }), { 'content-type': type });
        expectClientError(response);
      }),
      RUNS,
    );
    expect((await post('x=1', { 'content-type': 'application/x-www-form-urlencoded' })).statusCode).toBe(415);
  });

  it('any authorization header other than the key is 401', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string(), async (value) => {
        fc.pre(!value.includes(PROXY_KEY));
        const response = await post('{}', { authorization: value });
        expect(response.statusCode).toBe(401);
        expectOpenAIError(JSON.parse(response.body));
      }),
      RUNS,
    );
  });
});

describe('size and depth', () => {
  it('an oversized body is 413', async () => {
    const response = await post(JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'x'.repeat(BODY_LIMIT) }] }));
    expect(response.statusCode).toBe(413);
    expect(expectOpenAIError(JSON.parse(response.body)).code).toBe('request_too_large');
  });

  it.each([
    ['unterminated', '['.repeat(100_000)],
    ['arrays 50,000 deep', `${'['.repeat(50_000)}${']'.repeat(50_000)}`],
    ['objects 20,000 deep in a message', `{"model":"nvidia:${MODEL}","messages":[{"role":"user","content":${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}}]}`],
  ])('deeply nested JSON (%s) is a 4xx, not a crash', async (_name, payload) => {
    expectClientError(await post(payload));
  });
});

describe('over a real socket', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  async function raw(text: string): Promise<string> {
    const { port } = new URL(stack.proxy.url);
    const socket = connect(Number(port), '127.0.0.1');
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('error', () => undefined);
    socket.write(text);
    await new Promise((resolve) => socket.once('close', resolve));
    return received;
  }

  async function healthy(): Promise<void> {
    const response = await fetch(`${stack.proxy.url}/healthz`);
    expect(response.status).toBe(200);
  }

  it('headers over 16 KiB: Node answers 431 itself (no body) and closes; the proxy stays healthy', async () => {
    const answer = await raw(`GET /v1/models HTTP/1.1\r\nhost: x\r\nx-huge: ${'a'.repeat(20 * 1024)}\r\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 431 /);
    await healthy();
  });

  it('a malformed request line: 400 from Node, then closed; the proxy stays healthy', async () => {
    const answer = await raw('NOT HTTP AT ALL\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    await healthy();
  });

  it('a body shorter than its Content-Length, then the client leaves: no crash', async () => {
    const { port } = new URL(stack.proxy.url);
    const socket = connect(Number(port), '127.0.0.1');
    socket.on('error', () => undefined);
    socket.write(`POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${PROXY_KEY}\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"model"`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    socket.destroy();
    await healthy();
  });
});
