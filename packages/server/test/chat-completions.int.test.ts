import { describe, expect, it } from 'vitest';
import { chunk, completion, sendJson, startFakeUpstream, streamEvents, usageChunk, useFakeUpstream } from './support/fake-upstream.js';
import { authHeaders, chatBody, createTestProxy, PROXY_KEY, UPSTREAM_KEY, type TestProxy } from './support/proxy.js';

let proxy: TestProxy;
const upstream = useFakeUpstream(() => proxy);

describe('POST /v1/chat/completions (non-streaming)', () => {
  it('forwards the upstream body byte for byte and strips the backend prefix', async () => {
    const raw = `{"id":"x",  "choices":[{"index":0,"message":{"role":"assistant","content":"hé"}}],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}`;
    upstream().onChat((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(raw);
    });
    proxy = createTestProxy(upstream().baseUrl);
    const response = await proxy.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: authHeaders, payload: chatBody() });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.body).toBe(raw);
    const sent = JSON.parse(upstream().requests[0]!.body) as { model: string; stream: boolean };
    expect(sent.model).toBe('meta/llama3-70b');
    expect(upstream().requests[0]!.headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);
    expect(upstream().requests[0]!.body).not.toContain(PROXY_KEY);
  });

  it('keeps the upstream status and retry-after of an upstream error, OpenAI-shaped', async () => {
    upstream().onChat((_request, response) =>
      sendJson(response, 429, { status: 429, title: 'Too Many Requests' }, { 'retry-after': '7' }),
    );
    proxy = createTestProxy(upstream().baseUrl);
    const response = await proxy.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: authHeaders, payload: chatBody() });
    expect(response.statusCode).toBe(429);
    expect(response.headers['retry-after']).toBe('7');
    const body = response.json() as { error: { message: string; type: string } };
    expect(body.error.type).toBe('rate_limit_error');
    expect(body.error.message).toContain('Too Many Requests');
  });

  it('answers 502 when the upstream is unreachable', async () => {
    proxy = createTestProxy('http://127.0.0.1:1/v1');
    const response = await proxy.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: authHeaders, payload: chatBody() });
    expect(response.statusCode).toBe(502);
    expect((response.json() as { error: { code: string } }).error.code).toBe('upstream_unreachable');
  });

  it('answers 504 when the upstream does not answer within the timeout', async () => {
    upstream().onChat(() => undefined);
    proxy = createTestProxy(upstream().baseUrl, {
      backends: { up: { type: 'openai', api_url: upstream().baseUrl, api_key: UPSTREAM_KEY, timeout: 0.2 } },
    }, { dispatcher: undefined });
    const response = await proxy.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: authHeaders, payload: chatBody() });
    expect(response.statusCode).toBe(504);
    expect((response.json() as { error: { type: string } }).error.type).toBe('timeout_error');
  });
});

describe('routing', () => {
  const sentModel = () => (JSON.parse(upstream().requests.at(-1)!.body) as { model: string }).model;

  it('routes backend:model to the backend, keeping colons and slashes in the model part', async () => {
    proxy = createTestProxy(upstream().baseUrl);
    await proxy.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: authHeaders, payload: chatBody({ model: 'up:org/model:tag' }) });
    expect(sentModel()).toBe('org/model:tag');
  });

  it('sends a bare model, or one whose prefix is not a backend, to the default backend unchanged', async () => {
    proxy = createTestProxy(upstream().baseUrl);
    await proxy.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: authHeaders, payload: chatBody({ model: 'meta/llama3-70b' }) });
    expect(sentModel()).toBe('meta/llama3-70b');
    await proxy.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: authHeaders, payload: chatBody({ model: 'llama3:8b' }) });
    expect(sentModel()).toBe('llama3:8b');
  });

  it('picks the backend named by the prefix among several', async () => {
    const other = await startFakeUpstream();
    try {
      proxy = createTestProxy(upstream().baseUrl, {
        default_backend: 'up',
        backends: {
          up: { type: 'openai', api_url: upstream().baseUrl, api_key: 'k1' },
          other: { type: 'openai', api_url: other.baseUrl, api_key: 'k2' },
        },
      });
      const response = await proxy.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: authHeaders, payload: chatBody({ model: 'other:x/y' }) });
      expect(response.statusCode).toBe(200);
      expect(other.requests).toHaveLength(1);
      expect(JSON.parse(other.requests[0]!.body)).toMatchObject({ model: 'x/y' });
      expect(upstream().requests).toHaveLength(0);
    } finally {
      await other.close();
    }
  });

  it('force_model replaces the client model and may name a backend', async () => {
    proxy = createTestProxy(upstream().baseUrl, { force_model: 'up:forced/model' });
    await proxy.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: authHeaders, payload: chatBody({ model: 'whatever' }) });
    expect(sentModel()).toBe('forced/model');
  });

  it("sends the model's configured max_tokens when the request names none, and caps a larger one", async () => {
    proxy = createTestProxy(upstream().baseUrl, { model_settings: { 'up:org/*': { max_tokens: 4096 } } });
    const sent = () => JSON.parse(upstream().requests.at(-1)!.body) as { max_tokens?: number };
    await proxy.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: authHeaders, payload: chatBody({ model: 'up:org/model' }) });
    expect(sent().max_tokens).toBe(4096);
    await proxy.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: authHeaders, payload: chatBody({ model: 'up:org/model', max_tokens: 32_000 }) });
    expect(sent().max_tokens).toBe(4096);
    // Another model: no setting matches, the body goes as it came.
    await proxy.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: authHeaders, payload: chatBody({ model: 'up:other/model' }) });
    expect(sent()).not.toHaveProperty('max_tokens');
  });

  it('answers 400 naming the configured backends for a known backend type that is not configured', async () => {
    proxy = createTestProxy(upstream().baseUrl);
    const response = await proxy.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: authHeaders, payload: chatBody({ model: 'openai:gpt-4o' }) });
    expect(response.statusCode).toBe(400);
    const body = response.json() as { error: { message: string; param: string; code: string } };
    expect(body.error).toMatchObject({ param: 'model', code: 'unknown_backend' });
    expect(body.error.message).toContain('Configured backends: up');
    expect(upstream().requests).toHaveLength(0);
  });
});

describe('POST /v1/chat/completions (streaming basics)', () => {
  it('relays events as they are, appends [DONE] when a finished upstream omits it, and filters usage-only chunks', async () => {
    const finish = chunk(null, { choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] });
    const events = [chunk('a'), finish, usageChunk()];
    upstream().onChat((_request, response) => streamEvents(response, events));
    proxy = createTestProxy(upstream().baseUrl);
    const response = await proxy.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: authHeaders, payload: chatBody({ stream: true }) });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(response.headers['cache-control']).toBe('no-cache');
    expect(response.headers['x-accel-buffering']).toBe('no');
    expect(response.headers['x-request-id']).toBeTruthy();
    expect(response.body).toBe(`data: ${events[0]}\n\ndata: ${events[1]}\n\ndata: [DONE]\n\n`);
  });

  it('ends a stream cut without [DONE] or a finish_reason with an error event, never [DONE]', async () => {
    upstream().onChat((_request, response) => streamEvents(response, [chunk('a'), chunk('b')]));
    proxy = createTestProxy(upstream().baseUrl);
    const response = await proxy.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: authHeaders, payload: chatBody({ stream: true }) });
    expect(response.statusCode).toBe(200);
    expect(response.body).not.toContain('data: [DONE]');
    const last = response.body.trim().split('\n\n').at(-1)!;
    expect(JSON.parse(last.slice('data: '.length))).toMatchObject({ error: { code: 'upstream_stream_truncated' } });
  });

  it('forwards the usage-only chunk to a client that asked for include_usage', async () => {
    const events = [chunk('a'), usageChunk(), '[DONE]'];
    upstream().onChat((_request, response) => streamEvents(response, events));
    proxy = createTestProxy(upstream().baseUrl);
    const response = await proxy.app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers: authHeaders,
      payload: chatBody({ stream: true, stream_options: { include_usage: true } }),
    });
    expect(response.body).toBe(`data: ${events[0]}\n\ndata: ${events[1]}\n\ndata: [DONE]\n\n`);
  });

  it('gives the client the real status when the upstream fails before the stream starts', async () => {
    upstream().onChat((_request, response) => sendJson(response, 404, { status: 404, title: 'Not Found', detail: "Function 'abc': Not found for account 'x'" }));
    proxy = createTestProxy(upstream().baseUrl);
    const response = await proxy.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: authHeaders, payload: chatBody({ stream: true }) });
    expect(response.statusCode).toBe(404);
    expect((response.json() as { error: { message: string } }).error.message).toContain("Function 'abc'");
  });
});

export { completion };
