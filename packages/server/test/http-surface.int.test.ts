import { describe, expect, it } from 'vitest';
import { buildServer } from '../src/build-server.js';
import { ConfigError } from '../src/config/config-error.js';
import { useFakeUpstream } from './support/fake-upstream.js';
import { authHeaders, chatBody, createTestProxy, LogCapture, PROXY_KEY, type TestProxy } from './support/proxy.js';

let proxy: TestProxy;
const upstream = useFakeUpstream(() => proxy);

const post = (payload: unknown, headers: Record<string, string> = authHeaders) =>
  proxy.app.inject({ method: 'POST', url: '/v1/chat/completions', headers, payload: payload as string });

describe('proxy auth', () => {
  it('answers 401 OpenAI-shaped without a key and with a wrong one, and never calls upstream', async () => {
    proxy = createTestProxy(upstream().baseUrl);
    const missing = await post(chatBody(), {});
    expect(missing.statusCode).toBe(401);
    expect(missing.headers['www-authenticate']).toBe('Bearer');
    expect(missing.json()).toEqual({
      error: { message: expect.stringContaining('Missing proxy API key'), type: 'authentication_error', param: null, code: 'missing_api_key' },
    });
    const wrong = await post(chatBody(), { authorization: `Bearer ${PROXY_KEY}x` });
    expect(wrong.statusCode).toBe(401);
    expect((wrong.json() as { error: { code: string } }).error.code).toBe('invalid_api_key');
    const models = await proxy.app.inject({ method: 'GET', url: '/v1/models', headers: { authorization: 'Basic abc' } });
    expect(models.statusCode).toBe(401);
    expect(upstream().requests).toHaveLength(0);
  });

  it('accepts any configured key, including one from a list', async () => {
    proxy = createTestProxy(upstream().baseUrl, { auth: { api_keys: ['first-key', PROXY_KEY] } });
    expect((await post(chatBody())).statusCode).toBe(200);
    expect((await post(chatBody(), { authorization: 'bearer first-key' })).statusCode).toBe(200);
  });

  it('keeps /healthz open, and /metrics open unless metrics.require_auth', async () => {
    proxy = createTestProxy(upstream().baseUrl);
    expect((await proxy.app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
    expect((await proxy.app.inject({ url: '/metrics' })).statusCode).toBe(200);
    await proxy.close();
    proxy = createTestProxy(upstream().baseUrl, { metrics: { require_auth: true } });
    expect((await proxy.app.inject({ url: '/metrics' })).statusCode).toBe(401);
    expect((await proxy.app.inject({ url: '/metrics', headers: authHeaders })).statusCode).toBe(200);
    expect((await proxy.app.inject({ url: '/healthz' })).statusCode).toBe(200);
  });

  it('serves without keys when auth is disabled, and warns loudly at start', async () => {
    proxy = createTestProxy(upstream().baseUrl, { auth: { disabled: true } });
    await proxy.app.ready();
    expect((await post(chatBody(), {})).statusCode).toBe(200);
    const warning = proxy.logs.records().find((line) => String(line.msg).includes('AUTHENTICATION IS DISABLED'));
    expect(warning?.level).toBe(40);
  });

  it('refuses to start with no keys unless auth is disabled', () => {
    const build = () => buildServer({ backends: { up: { type: 'openai', api_url: upstream().baseUrl } } }, { env: {}, logDestination: new LogCapture() });
    expect(build).toThrow(ConfigError);
    expect(build).toThrow(/No proxy API keys configured.*PROXY_API_KEYS.*--disable-auth/s);
  });
});

describe('request errors', () => {
  it('answers 413 for a body over body_limit', async () => {
    proxy = createTestProxy(upstream().baseUrl, { body_limit: 1024 });
    const response = await post(chatBody({ messages: [{ role: 'user', content: 'x'.repeat(2000) }] }));
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({ error: { type: 'invalid_request_error', code: 'request_too_large' } });
    expect((response.json() as { error: { message: string } }).error.message).toContain('1024 bytes');
  });

  it('answers 400 for invalid JSON and for an empty JSON body', async () => {
    proxy = createTestProxy(upstream().baseUrl);
    const invalid = await post('{"model": ', { ...authHeaders, 'content-type': 'application/json' });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json()).toMatchObject({ error: { code: 'invalid_json', message: 'The request body is not valid JSON' } });
    const empty = await post('', { ...authHeaders, 'content-type': 'application/json' });
    expect(empty.statusCode).toBe(400);
  });

  it('answers 400 naming the field for an invalid request', async () => {
    proxy = createTestProxy(upstream().baseUrl);
    const response = await post({ model: 'up:m', messages: [] });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: { type: 'invalid_request_error', param: 'messages' } });
    expect((response.json() as { error: { message: string } }).error.message).toContain('at least one message');
    const noModel = await post({ messages: [{ role: 'user', content: 'x' }] });
    expect((noModel.json() as { error: { param: string } }).error.param).toBe('model');
  });

  it('answers 415 for a body that is not JSON', async () => {
    proxy = createTestProxy(upstream().baseUrl);
    const response = await post('hello', { ...authHeaders, 'content-type': 'text/plain' });
    expect(response.statusCode).toBe(415);
    expect(response.json()).toMatchObject({ error: { code: 'unsupported_media_type' } });
  });

  it("answers the Responses API's stored-state routes 404 saying nothing is stored, behind the key check", async () => {
    proxy = createTestProxy(upstream().baseUrl);
    for (const [method, url] of [['GET', '/v1/responses/resp_1'], ['POST', '/v1/responses/resp_1/cancel'], ['POST', '/v1/conversations'], ['GET', '/v1/conversations/conv_1/items']] as const) {
      const answer = await proxy.app.inject({ method, url, headers: authHeaders, ...(method === 'POST' ? { payload: {} } : {}) });
      expect(answer.statusCode, url).toBe(404);
      expect(answer.json(), url).toEqual({
        error: { message: expect.stringMatching(new RegExp(`^Invalid URL \\(${method} ${url}\\): this proxy keeps no conversation state`)), type: 'invalid_request_error', param: null, code: 'unknown_url' },
      });
    }
    const keyless = await proxy.app.inject({ method: 'GET', url: '/v1/responses/resp_1' });
    expect(keyless.statusCode).toBe(401);
  });

  it('answers 404 for unknown routes and 405 with allow for wrong methods, OpenAI-shaped', async () => {
    proxy = createTestProxy(upstream().baseUrl);
    const missing = await proxy.app.inject({ method: 'GET', url: '/v1/nope?x=1', headers: authHeaders });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error: { message: 'Invalid URL (GET /v1/nope)', type: 'invalid_request_error', param: null, code: 'unknown_url' } });
    const wrong = await proxy.app.inject({ method: 'GET', url: '/v1/chat/completions', headers: authHeaders });
    expect(wrong.statusCode).toBe(405);
    expect(wrong.headers.allow).toBe('POST');
    expect(wrong.json()).toMatchObject({ error: { code: 'method_not_allowed', type: 'invalid_request_error' } });
    const del = await proxy.app.inject({ method: 'DELETE', url: '/v1/models/up:a/b', headers: authHeaders });
    expect(del.statusCode).toBe(405);
    expect(del.headers.allow).toBe('GET, HEAD');
  });

  it('regression: a wrong method under /v1 answered 405 without a key, letting anyone probe the API', async () => {
    proxy = createTestProxy(upstream().baseUrl);
    for (const [method, url] of [['DELETE', '/v1/models/up:a/b'], ['POST', '/v1/models'], ['GET', '/v1/chat/completions']] as const) {
      const response = await proxy.app.inject({ method, url });
      expect(response.statusCode).toBe(401);
      expect(response.headers.allow).toBeUndefined();
    }
  });

  it('echoes a sane x-request-id and makes one up otherwise', async () => {
    proxy = createTestProxy(upstream().baseUrl);
    const given = await proxy.app.inject({ url: '/healthz', headers: { 'x-request-id': 'trace-123' } });
    expect(given.headers['x-request-id']).toBe('trace-123');
    const odd = await proxy.app.inject({ url: '/healthz', headers: { 'x-request-id': 'bad id with spaces' } });
    expect(odd.headers['x-request-id']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('GET /v1/models', () => {
  it('lists every backend catalog as backend:model ids in the OpenAI list shape', async () => {
    proxy = createTestProxy(upstream().baseUrl, {
      backends: {
        up: { type: 'openai', api_url: upstream().baseUrl, api_key: 'k' },
        fixed: { type: 'openai', api_url: 'http://127.0.0.1:1/v1', models: ['a/b', 'c'] },
      },
      default_backend: 'up',
    });
    const response = await proxy.app.inject({ url: '/v1/models', headers: authHeaders });
    const body = response.json() as { object: string; data: { id: string; object: string; owned_by: string; created: number }[] };
    expect(body.object).toBe('list');
    expect(body.data.map((model) => model.id)).toEqual(['up:meta/llama3-70b', 'up:org/model:tag', 'fixed:a/b', 'fixed:c']);
    expect(body.data[2]).toMatchObject({ object: 'model', owned_by: 'fixed' });
    expect(typeof body.data[0]!.created).toBe('number');
    // Anthropic's clients (Claude Code's model discovery) send the key as x-api-key.
    const key = authHeaders.authorization.replace(/^Bearer /, '');
    const anthropic = await proxy.app.inject({ url: '/v1/models', headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01' } });
    expect(anthropic.statusCode).toBe(200);
    expect((anthropic.json() as { data: unknown[] }).data).toHaveLength(4);
    expect((await proxy.app.inject({ url: '/v1/models', headers: { 'x-api-key': 'wrong' } })).statusCode).toBe(401);
  });

  it('looks up one model by an id with slashes and colons, prefixed or bare', async () => {
    proxy = createTestProxy(upstream().baseUrl);
    const prefixed = await proxy.app.inject({ url: '/v1/models/up:org/model:tag', headers: authHeaders });
    expect(prefixed.statusCode).toBe(200);
    expect(prefixed.json()).toMatchObject({ id: 'up:org/model:tag', object: 'model', owned_by: 'up' });
    const encoded = await proxy.app.inject({ url: '/v1/models/up%3Ameta%2Fllama3-70b', headers: authHeaders });
    expect(encoded.json()).toMatchObject({ id: 'up:meta/llama3-70b' });
    const bare = await proxy.app.inject({ url: '/v1/models/meta/llama3-70b', headers: authHeaders });
    expect(bare.json()).toMatchObject({ id: 'up:meta/llama3-70b' });
    const unknown = await proxy.app.inject({ url: '/v1/models/up:nope/x', headers: authHeaders });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ error: { code: 'model_not_found', type: 'invalid_request_error' } });
  });

  it('lists the aliases named by id first, with the route of each, and none named by a pattern or to no backend', async () => {
    proxy = createTestProxy(upstream().baseUrl, {
      model_aliases: {
        'claude-llama': 'up:meta/llama3-70b',
        'claude-*haiku*': 'up:org/model:tag',
        'gpt-tag': 'org/model:tag',
        // A backend type that no backend here has: routing it is a 400.
        'claude-nowhere': 'nvidia:meta/llama3-70b',
      },
    });
    const openai = (await proxy.app.inject({ url: '/v1/models', headers: authHeaders })).json() as { data: { id: string; owned_by: string; created: number }[] };
    expect(openai.data.map((model) => model.id)).toEqual(['claude-llama', 'gpt-tag', 'up:meta/llama3-70b', 'up:org/model:tag']);
    expect(openai.data[1]).toMatchObject({ object: 'model', owned_by: 'up', created: openai.data[2]!.created });
    // An alias is looked up as it routes: whatever its case.
    const one = await proxy.app.inject({ url: '/v1/models/CLAUDE-LLAMA', headers: authHeaders });
    expect(one.json()).toMatchObject({ id: 'claude-llama', object: 'model', owned_by: 'up' });
    const pattern = await proxy.app.inject({ url: '/v1/models/claude-3-haiku', headers: authHeaders });
    expect(pattern.statusCode).toBe(404);
  });

  it("answers Anthropic's clients (anthropic-version) in Anthropic's shapes: a paged list, a model, its errors", async () => {
    proxy = createTestProxy(upstream().baseUrl, { model_aliases: { 'claude-llama': 'up:meta/llama3-70b' }, model_settings: { 'meta/*': { max_tokens: 4096 } } });
    const key = authHeaders.authorization.replace(/^Bearer /, '');
    const anthropic = { 'x-api-key': key, 'anthropic-version': '2023-06-01' };
    // What Claude Code's gateway model discovery sends.
    const discovery = await proxy.app.inject({ url: '/v1/models?limit=1000', headers: { ...anthropic, authorization: `Bearer ${key}` } });
    expect(discovery.statusCode).toBe(200);
    expect(discovery.json()).toEqual({
      data: [
        expect.objectContaining({ type: 'model', id: 'claude-llama', display_name: 'claude-llama', created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/), description: 'Routed by the proxy to up:meta/llama3-70b', max_tokens: 4096, lifecycle: 'active' }),
        expect.objectContaining({ type: 'model', id: 'up:meta/llama3-70b', display_name: 'up:meta/llama3-70b', created_at: expect.any(String), max_tokens: 4096 }),
        expect.objectContaining({ type: 'model', id: 'up:org/model:tag', display_name: 'up:org/model:tag', created_at: expect.any(String), max_tokens: null }),
      ],
      has_more: false,
      first_id: 'claude-llama',
      last_id: 'up:org/model:tag',
    });
    const page = await proxy.app.inject({ url: '/v1/models?limit=1&after_id=claude-llama', headers: anthropic });
    expect(page.json()).toMatchObject({ data: [{ id: 'up:meta/llama3-70b' }], has_more: true, last_id: 'up:meta/llama3-70b' });
    const one = await proxy.app.inject({ url: '/v1/models/claude-llama', headers: anthropic });
    expect(one.json()).toMatchObject({ type: 'model', id: 'claude-llama' });
    const unknown = await proxy.app.inject({ url: '/v1/models/claude-none', headers: anthropic });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual({ type: 'error', error: { type: 'not_found_error', message: expect.stringContaining("'claude-none'") } });
    const badLimit = await proxy.app.inject({ url: '/v1/models?limit=0', headers: anthropic });
    expect(badLimit.statusCode).toBe(400);
    expect(badLimit.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: expect.stringContaining('limit') } });
    const refused = await proxy.app.inject({ url: '/v1/models', headers: { 'x-api-key': 'wrong', 'anthropic-version': '2023-06-01' } });
    expect(refused.statusCode).toBe(401);
    expect(refused.json()).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
    // The id Anthropic's SDKs report, on the refusal too.
    expect(refused.headers['request-id']).toBe(refused.headers['x-request-id']);
    expect(discovery.headers['request-id']).toBe(discovery.headers['x-request-id']);
    // The same route without anthropic-version keeps OpenAI's shapes.
    const openaiRefused = await proxy.app.inject({ url: '/v1/models', headers: { 'x-api-key': 'wrong' } });
    expect(openaiRefused.json()).toMatchObject({ error: { type: 'authentication_error', code: 'invalid_api_key' } });
    expect(upstream().requests.filter((request) => request.url !== '/v1/models')).toHaveLength(0);
  });

  it('serves with an empty catalog and a warning when a catalog cannot be loaded', async () => {
    proxy = createTestProxy(upstream().baseUrl, {
      backends: { down: { type: 'openai', api_url: 'http://127.0.0.1:1/v1', api_key: 'secret-upstream-key-1' } },
    });
    const response = await proxy.app.inject({ url: '/v1/models', headers: authHeaders });
    expect(response.json()).toEqual({ object: 'list', data: [] });
    const warning = proxy.logs.records().find((line) => line.backend === 'down' && line.level === 40);
    expect(String(warning?.reason)).toContain('ECONNREFUSED');
    expect(proxy.logs.text).not.toContain('secret-upstream-key-1');
  });
});
