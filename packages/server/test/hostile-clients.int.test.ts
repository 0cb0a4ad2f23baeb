import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { maxConnectionsFor } from '../src/http/max-connections.js';
import { useFakeUpstream } from './support/fake-upstream.js';
import { createTestProxy, PROXY_KEY, type TestProxy } from './support/proxy.js';

let proxy: TestProxy;
const upstream = useFakeUpstream(() => proxy);

/** Opens a raw socket to the proxy and collects what it answers until it closes. */
async function rawClient(url: string): Promise<{ socket: Socket; answer: Promise<string> }> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  const answer = new Promise<string>((resolve) => {
    let text = '';
    socket.on('data', (data) => (text += data.toString()));
    socket.on('close', () => resolve(text));
  });
  return { socket, answer };
}

const bodyOf = (answer: string) => JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as { error: { code: string; type: string } };

describe('hostile clients', () => {
  it('cuts off a client that dribbles its body past body_timeout with an OpenAI-shaped 408, and never calls upstream', async () => {
    proxy = createTestProxy(upstream().baseUrl, { body_timeout: 0.3 });
    const { socket, answer } = await rawClient(await proxy.listen());
    socket.write(
      `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${PROXY_KEY}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"mod`,
    );
    // Nothing more is sent: the proxy must answer on its own.
    const text = await answer;
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
    expect(bodyOf(text).error).toMatchObject({ code: 'request_timeout', type: 'timeout_error' });
    expect(upstream().requests).toHaveLength(0);
  });

  it('answers headers that are too large with an OpenAI-shaped 431, and broken HTTP with a 400', async () => {
    proxy = createTestProxy(upstream().baseUrl);
    const url = await proxy.listen();
    const big = await rawClient(url);
    big.socket.write(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    const bigAnswer = await big.answer;
    expect(bigAnswer).toMatch(/^HTTP\/1\.1 431 /);
    expect(bodyOf(bigAnswer).error.code).toBe('headers_too_large');
    const broken = await rawClient(url);
    broken.socket.write('NOT HTTP AT ALL\r\n\r\n');
    const brokenAnswer = await broken.answer;
    expect(brokenAnswer).toMatch(/^HTTP\/1\.1 400 /);
    expect(bodyOf(brokenAnswer).error.code).toBe('malformed_request');
  });

  it('caps open client connections (max_connections), so idle sockets cannot take every descriptor', async () => {
    proxy = createTestProxy(upstream().baseUrl, { max_connections: 2 });
    const url = await proxy.listen();
    expect(proxy.app.server.maxConnections).toBe(2);
    const idle = [await rawClient(url), await rawClient(url)];
    const third = await rawClient(url);
    // Past the cap the connection is closed at once, without an answer.
    expect(await third.answer).toBe('');
    for (const client of idle) client.socket.destroy();
  });

  it('sizes the default cap from the file-descriptor limit, leaving room for upstream sockets', () => {
    expect(maxConnectionsFor(256)).toBe(112);
    expect(maxConnectionsFor(1_048_576)).toBe(524_272);
    expect(maxConnectionsFor(undefined)).toBeUndefined();
  });
});

describe('hostile input that parses', () => {
  it('refuses a body nested 100,000 deep with a 400 naming it, without calling upstream or logging a stack', async () => {
    proxy = createTestProxy(upstream().baseUrl);
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const response = await proxy.app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers: { authorization: `Bearer ${PROXY_KEY}`, 'content-type': 'application/json' },
      payload: `{"model":"up:meta/llama3-70b","messages":[{"role":"user","content":"hi"}],"extra":${deep}}`,
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: { code: 'too_deeply_nested', message: expect.stringContaining('128 levels') } });
    expect(upstream().requests).toHaveLength(0);
    expect(proxy.logs.text).not.toContain('"stack"');
    // count_tokens too, whose estimate serialises the tools (it answered 500 with a stack trace).
    const counted = await proxy.app.inject({
      method: 'POST',
      url: '/v1/messages/count_tokens',
      headers: { 'x-api-key': PROXY_KEY, 'content-type': 'application/json' },
      payload: `{"model":"up:meta/llama3-70b","messages":[{"role":"user","content":"hi"}],"tools":[{"name":"t","input_schema":{"type":"object","x":${deep}}}]}`,
    });
    expect(counted.statusCode).toBe(400);
    expect(counted.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: expect.stringContaining('128 levels') } });
    expect(proxy.logs.text).not.toContain('"stack"');
  });

  it('labels token metrics only with models the backend knows: made-up names count as "other"', async () => {
    proxy = createTestProxy(upstream().baseUrl, { backends: { up: { type: 'openai', api_url: upstream().baseUrl, api_key: 'upstream-secret-abcdef', models: ['meta/llama3-70b'] } } });
    const ask = (model: string) =>
      proxy.app.inject({
        method: 'POST',
        url: '/v1/chat/completions',
        headers: { authorization: `Bearer ${PROXY_KEY}` },
        payload: { model: `up:${model}`, messages: [{ role: 'user', content: 'hi' }] },
      });
    await proxy.app.ready();
    for (let i = 0; i < 5; i++) expect((await ask(`made-up-${'x'.repeat(200)}-${i}`)).statusCode).toBe(200);
    expect((await ask('meta/llama3-70b')).statusCode).toBe(200);
    const metrics = (await proxy.app.inject({ url: '/metrics' })).body;
    expect(metrics).not.toContain('made-up-');
    expect(metrics).toMatch(/model="other"/);
    expect(metrics).toMatch(/model="meta\/llama3-70b"/);
  });
});
