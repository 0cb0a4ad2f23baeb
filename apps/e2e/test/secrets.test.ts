import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatBody, expectOpenAIError, metricsText, MODEL, postChat, PROXY_KEY, startStack, UPSTREAM_KEY, type Stack } from './support/stack.js';

// Keys (the upstream's and the proxy's) never appear in logs, error bodies, metrics or /v1/models, across a run
// that provokes every kind of error; and nothing but /healthz and /metrics answers without a key.

const ENV_KEY = 'nvapi-from-the-environment-0c9e44';
let stack: Stack;
const seen: string[] = [];
beforeAll(async () => {
  stack = await startStack({
    config: {
      logging: { level: 'trace' },
      failure_handling: { max_retries: 1 },
      backends: { envkeyed: { type: 'nvidia', api_url: 'http://127.0.0.1:9/v1' } },
    },
    env: { NVIDIA_API_KEY: ENV_KEY },
  });
});
afterAll(async () => {
  await stack?.close();
});

async function record(answer: Promise<{ status: number; headers: Record<string, unknown>; text: string }>) {
  const result = await answer;
  seen.push(JSON.stringify(result.headers), result.text);
  return result;
}

describe('secrets', () => {
  it('appear nowhere, even when the upstream echoes them and every error path runs', async () => {
    const echo = `upstream says: bad key ${UPSTREAM_KEY}, proxy key ${PROXY_KEY}, env key ${ENV_KEY}`;
    stack.mock.failNext({ type: 'http-error', status: 400, body: { status: 400, title: 'Bad Request', detail: echo } });
    expect((await record(postChat(stack, chatBody()))).status).toBe(400);
    stack.mock.failNext({ type: 'http-error', status: 503, body: { detail: echo } }, 2);
    expect((await record(postChat(stack, chatBody({ stream: true })))).status).toBe(503);
    stack.mock.failNext({ type: 'http-error', status: 401, headers: { 'www-authenticate': `Bearer error="invalid_token" key="${UPSTREAM_KEY}"` } });
    expect((await record(postChat(stack, chatBody()))).status).toBe(401);
    stack.mock.failNext({ type: 'disconnect', afterChunks: 1 });
    expect((await record(postChat(stack, chatBody({ stream: true })))).status).toBe(200);
    stack.mock.failNext({ type: 'malformed-json' });
    expect((await record(postChat(stack, chatBody()))).status).toBe(502);
    expect((await record(postChat(stack, chatBody({ model: `envkeyed:${MODEL}` })))).status).toBe(502);
    // The client's own mistakes, with keys in them.
    expect((await record(postChat(stack, `{"model":"${UPSTREAM_KEY}",`))).status).toBe(400);
    expect((await record(postChat(stack, chatBody(), { headers: { authorization: `Bearer ${UPSTREAM_KEY}` } }))).status).toBe(401);
    expect((await record(postChat(stack, chatBody(), { headers: { authorization: `Bearer ${PROXY_KEY}x` } }))).status).toBe(401);

    const models = await request(`${stack.baseURL}/models`, { headers: { authorization: `Bearer ${PROXY_KEY}` }, dispatcher: stack.agent });
    seen.push(await models.body.text());
    seen.push(await metricsText(stack));

    const everything = [...seen, ...stack.logs].join('\n');
    expect(stack.logs.length).toBeGreaterThan(10);
    for (const key of [UPSTREAM_KEY, PROXY_KEY, ENV_KEY]) expect(everything).not.toContain(key);
    // Not even a recognisable fragment of one.
    for (const key of [UPSTREAM_KEY, PROXY_KEY, ENV_KEY]) expect(everything).not.toContain(key.slice(-12));
  });
});

describe('regression: a key sent as the model was written to the request log', () => {
  it('is redacted from the logged model', async () => {
    const before = stack.logs.length;
    for (const key of [PROXY_KEY, UPSTREAM_KEY, `nvidia:${PROXY_KEY}`]) {
      const answer = await postChat(stack, chatBody({ model: key }));
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.text).not.toContain(PROXY_KEY);
    }
    const written = stack.logs.slice(before).join('');
    expect(written).toContain('request completed');
    expect(written).not.toContain(PROXY_KEY);
    expect(written).not.toContain(UPSTREAM_KEY);
  });
});

describe('authentication', () => {
  const PATHS = [
    '/',
    '/healthz',
    '/metrics',
    '/api/hello',
    '/api/event_logging/batch',
    '/v1/models',
    `/v1/models/nvidia:${MODEL}`,
    '/v1/chat/completions',
    '/v1/messages',
    '/v1/messages/count_tokens',
    '/v1/messages/batches',
    '/v1/responses',
    '/v1/responses/resp_1',
    '/v1/conversations',
    '/v1/completions',
    '/v1/embeddings',
    '/v1/unknown',
  ];
  const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const;
  /** Claude Code's side traffic, answered quietly without a key (it carries none). */
  const QUIET = ['HEAD /', 'HEAD /api/hello', 'POST /api/event_logging/batch'];

  it('lists every route the app has, so none escapes the check below', () => {
    // printRoutes draws a tree: each line's indentation says its parent, so the full paths are rebuilt from it.
    const served: string[] = [];
    const parents: string[] = [];
    for (const line of stack.proxy.app.printRoutes({ commonPrefix: false }).split('\n')) {
      const match = /^([│ ]*)(?:└── |├── )([^ ]+) \(/.exec(line);
      if (!match) continue;
      const depth = match[1]!.length / 4;
      parents.length = depth;
      parents.push(match[2]!);
      served.push(parents.join('').replace(/^\/?/, '/').replace(/\/\/+/g, '/'));
    }
    expect(served).toEqual([
      '/',
      '/metrics',
      '/api/hello',
      '/api/event_logging/batch',
      '/healthz',
      '/v1/chat/completions',
      '/v1/conversations',
      '/v1/conversations*',
      '/v1/responses',
      '/v1/responses*',
      '/v1/embeddings',
      '/v1/messages',
      '/v1/messages/count_tokens',
      '/v1/messages*',
      '/v1/models',
      '/v1/models*',
    ]);
  });

  it('only /healthz, /metrics and the quiet side traffic serve without a key; every other route and method is 401 (unknown URLs 404), each in its API\'s error shape', async () => {
    const answers: string[] = [];
    for (const path of PATHS) {
      for (const method of METHODS) {
        const response = await request(`${stack.proxy.url}${path}`, { method, dispatcher: stack.agent, ...(method === 'POST' ? { body: '{}', headers: { 'content-type': 'application/json' } } : {}) });
        const text = await response.body.text();
        const line = `${method} ${path} → ${response.statusCode}`;
        answers.push(line);
        const quiet = QUIET.includes(`${method} ${path}`);
        const open = quiet || ((path === '/healthz' || path === '/metrics') && (method === 'GET' || method === 'HEAD'));
        if (quiet) expect([200, 204]).toContain(response.statusCode);
        else if (open) expect(response.statusCode).toBe(200);
        else if (['/', '/api/hello', '/api/event_logging/batch', '/v1/completions', '/v1/unknown'].includes(path)) expect([401, 404]).toContain(response.statusCode);
        else if (path === '/healthz' || path === '/metrics') expect(response.statusCode).toBe(405);
        else expect(line).toBe(`${method} ${path} → 401`);
        if (open || method === 'HEAD') continue;
        if (path.startsWith('/v1/messages')) expect(JSON.parse(text)).toMatchObject({ type: 'error', error: { type: expect.any(String), message: expect.any(String) } });
        else expectOpenAIError(JSON.parse(text));
      }
    }
    expect(answers).toHaveLength(PATHS.length * METHODS.length);
  });

  it('metrics.require_auth puts /metrics behind the key', async () => {
    const locked = await startStack({ config: { metrics: { require_auth: true } } });
    try {
      expect((await request(`${locked.proxy.url}/metrics`, { dispatcher: locked.agent })).statusCode).toBe(401);
      const ok = await request(`${locked.proxy.url}/metrics`, { dispatcher: locked.agent, headers: { authorization: `Bearer ${PROXY_KEY}` } });
      expect(ok.statusCode).toBe(200);
      await ok.body.dump();
    } finally {
      await locked.close();
    }
  });
});
