import { describe, expect, it } from 'vitest';
import { chunk, sendJson, streamEvents, useFakeUpstream } from './support/fake-upstream.js';
import { authHeaders, chatBody, createTestProxy, PROXY_KEY, UPSTREAM_KEY, type TestProxy } from './support/proxy.js';

let proxy: TestProxy;
const upstream = useFakeUpstream(() => proxy);

/** Every form of a key a hostile upstream might echo, none of which may reach the client. */
const leaks = (key: string) => [key, key.slice(0, 12), Buffer.from(`Bearer ${key}`).toString('base64'), encodeURIComponent(`a b ${key}`)];

describe('keys never leave, whatever the upstream sends', () => {
  it('scrubs the upstream and proxy keys from a 200 JSON answer', async () => {
    upstream().onChat((request, response) =>
      sendJson(response, 200, {
        id: 'x',
        choices: [{ index: 0, message: { role: 'assistant', content: `I got ${request.headers.authorization} ${leaks(UPSTREAM_KEY).join(' ')} ${PROXY_KEY}` }, finish_reason: 'stop' }],
      }),
    );
    proxy = createTestProxy(upstream().baseUrl);
    const response = await proxy.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: authHeaders, payload: chatBody() });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('[redacted]');
    for (const leak of [...leaks(UPSTREAM_KEY), PROXY_KEY]) expect(response.body).not.toContain(leak);
    expect(JSON.parse(response.body)).toMatchObject({ id: 'x' });
  });

  it('scrubs them from every streamed event', async () => {
    upstream().onChat((request, response) =>
      streamEvents(response, [chunk(`echo ${request.headers.authorization}`), chunk(leaks(UPSTREAM_KEY).join(' ')), chunk(null, { choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }), '[DONE]']),
    );
    proxy = createTestProxy(upstream().baseUrl);
    const response = await proxy.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: authHeaders, payload: chatBody({ stream: true }) });
    expect(response.body).toContain('[redacted]');
    for (const leak of leaks(UPSTREAM_KEY)) expect(response.body).not.toContain(leak);
    expect(response.body.endsWith('data: [DONE]\n\n')).toBe(true);
  });

  it('scrubs them from an error body, even as a prefix', async () => {
    upstream().onChat((_request, response) => sendJson(response, 400, { detail: `bad key ${UPSTREAM_KEY.slice(0, 14)}…` }));
    proxy = createTestProxy(upstream().baseUrl);
    const response = await proxy.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: authHeaders, payload: chatBody() });
    expect(response.statusCode).toBe(400);
    expect(response.body).not.toContain(UPSTREAM_KEY.slice(0, 12));
  });
});

describe('an upstream catalog that echoes a key as a model id', () => {
  it('regression: /v1/models and /v1/models/<id> scrub it; both listed the key as it came', async () => {
    upstream().models = ['meta/llama3-70b', `org/${UPSTREAM_KEY}`, PROXY_KEY];
    proxy = createTestProxy(upstream().baseUrl);
    const list = await proxy.app.inject({ method: 'GET', url: '/v1/models', headers: authHeaders });
    expect(list.statusCode).toBe(200);
    expect(JSON.parse(list.body).data).toEqual(expect.arrayContaining([expect.objectContaining({ id: 'up:meta/llama3-70b' })]));
    const one = await proxy.app.inject({ method: 'GET', url: `/v1/models/up:org/${UPSTREAM_KEY}`, headers: authHeaders });
    for (const body of [list.body, one.body]) {
      expect(body).toContain('[redacted]');
      for (const leak of [UPSTREAM_KEY.slice(0, 12), UPSTREAM_KEY.slice(-12), PROXY_KEY.slice(-12)]) expect(body).not.toContain(leak);
    }
  });
});
