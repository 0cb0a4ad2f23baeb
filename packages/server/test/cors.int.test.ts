import { afterEach, describe, expect, it } from 'vitest';
import { useFakeUpstream } from './support/fake-upstream.js';
import { authHeaders, chatBody, createTestProxy, type TestProxy } from './support/proxy.js';

let proxy: TestProxy;
const upstream = useFakeUpstream(() => proxy);
afterEach(async () => proxy?.close());

const ORIGIN = 'https://app.example.com';
const preflight = (url: string, origin = ORIGIN) =>
  proxy.app.inject({
    method: 'OPTIONS',
    url,
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type, x-api-key' },
  });

describe('CORS (cors.origins)', () => {
  it('answers every front end’s preflight before auth, and adds the headers to answers for an allowed origin', async () => {
    proxy = createTestProxy(upstream().baseUrl, { cors: { origins: [ORIGIN] } });
    for (const url of ['/v1/chat/completions', '/v1/responses', '/v1/messages', '/v1/models']) {
      const response = await preflight(url);
      expect(response.statusCode, url).toBe(204);
      expect(response.headers['access-control-allow-origin']).toBe(ORIGIN);
      expect(response.headers['access-control-allow-methods']).toBe('GET, HEAD, POST');
      expect(response.headers['access-control-allow-headers']).toBe('authorization, content-type, x-api-key');
      expect(response.headers['access-control-max-age']).toBe('600');
    }
    const chat = await proxy.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: { ...authHeaders, origin: ORIGIN }, payload: chatBody() });
    expect(chat.statusCode).toBe(200);
    expect(chat.headers['access-control-allow-origin']).toBe(ORIGIN);
    expect(chat.headers['access-control-expose-headers']).toBe('x-request-id, request-id, retry-after, x-should-retry');
    // The key is still needed for the request itself, and the 401 carries the headers so the page can read it.
    const keyless = await proxy.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: { origin: ORIGIN }, payload: chatBody() });
    expect(keyless.statusCode).toBe(401);
    expect(keyless.headers['access-control-allow-origin']).toBe(ORIGIN);
  });

  it('gives another origin no CORS headers', async () => {
    proxy = createTestProxy(upstream().baseUrl, { cors: { origins: [ORIGIN] } });
    const response = await preflight('/v1/chat/completions', 'https://evil.example');
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });

  it("takes '*' for any origin", async () => {
    proxy = createTestProxy(upstream().baseUrl, { cors: { origins: ['*'] } });
    const response = await preflight('/v1/chat/completions', 'https://anyone.example');
    expect(response.statusCode).toBe(204);
    expect(response.headers['access-control-allow-origin']).toBe('*');
  });

  it('is off by default: no headers, and a preflight is an unauthenticated request like any other', async () => {
    proxy = createTestProxy(upstream().baseUrl);
    const response = await preflight('/v1/chat/completions');
    expect(response.statusCode).toBe(401);
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('refuses an origin with a path, naming the key', () => {
    expect(() => createTestProxy('http://127.0.0.1:9/v1', { cors: { origins: ['https://app.example.com/page'] } })).toThrow(/cors\.origins\[0\]: expected an origin/);
  });
});
