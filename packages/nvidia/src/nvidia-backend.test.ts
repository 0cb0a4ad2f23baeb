import { UnpacedKeyLimiter, type BackendConfig, type KeyLimiterRequest } from '@proxy/core';
import { MockAgent } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NVIDIA_DEFAULT_BASE_URL } from './constants.js';
import { nvidiaBackend, type NvidiaSettings } from './nvidia-backend.js';
import type { NvidiaConnector } from './nvidia-connector.js';
import { completion, modelList, userMessage } from './test-support/fixtures.js';

const connectors: NvidiaConnector[] = [];
let agent: MockAgent;

beforeEach(() => {
  agent = new MockAgent();
  agent.disableNetConnect();
});

afterEach(async () => {
  await Promise.all(connectors.splice(0).map((connector) => connector.close()));
  await agent.close();
});

function create(config: Partial<BackendConfig<NvidiaSettings>>, env: Record<string, string> = {}): NvidiaConnector {
  const connector = nvidiaBackend.create({ name: 'nvidia', type: 'nvidia', ...config }, { env, dispatcher: agent }) as NvidiaConnector;
  connectors.push(connector);
  return connector;
}

describe('nvidiaBackend', () => {
  it('registers type nvidia', () => {
    expect(nvidiaBackend.type).toBe('nvidia');
    expect(create({}).type).toBe('nvidia');
  });

  it('defaults to the hosted integrator and lets api_url point at a self-hosted NIM', () => {
    expect(create({}).baseURL).toBe(NVIDIA_DEFAULT_BASE_URL);
    expect(create({ api_url: '' }).baseURL).toBe(NVIDIA_DEFAULT_BASE_URL);
    expect(create({ api_url: 'http://nim.internal:8000/v1/' }).baseURL).toBe('http://nim.internal:8000/v1');
  });

  it('reads timeout and connect_timeout in seconds, with the silence floor at 300 s', () => {
    expect(create({}).timeouts).toEqual({ connectMs: 30_000, headersMs: 300_000, bodyMs: 300_000 });
    expect(create({ timeout: 900 }).timeouts).toEqual({ connectMs: 30_000, headersMs: 900_000, bodyMs: 900_000 });
    expect(create({ timeout: 2 }).timeouts).toMatchObject({ headersMs: 300_000, bodyMs: 300_000 });
    expect(create({ connect_timeout: 5 }).timeouts.connectMs).toBe(5_000);
  });

  it('cannot lower the silence floor from configuration', () => {
    expect(create({ timeout: 0.001 }).timeouts.headersMs).toBe(300_000);
    // The connector's test-only floor is no setting: its schema refuses it under either spelling.
    const result = nvidiaBackend.settings.safeParse({ minSilenceTimeoutMs: 10, min_silence_timeout_ms: 10 });
    expect(result.error?.issues).toMatchObject([{ code: 'unrecognized_keys', keys: ['minSilenceTimeoutMs', 'min_silence_timeout_ms'] }]);
  });

  it('takes api_key from the configuration over NVIDIA_API_KEY, and NVIDIA_API_KEY when it is empty', async () => {
    const pool = agent.get('https://integrate.api.nvidia.com');
    for (const key of ['nvapi-yaml', 'nvapi-env']) {
      pool
        .intercept({ path: '/v1/chat/completions', method: 'POST', headers: { authorization: `Bearer ${key}` } })
        .reply(200, completion, { headers: { 'content-type': 'application/json' } });
    }
    const yaml = create({ api_key: 'nvapi-yaml', health_check: false }, { NVIDIA_API_KEY: 'nvapi-env' });
    await yaml.chatCompletion({ model: 'm', messages: userMessage });
    const env = create({ api_key: ' ', health_check: false }, { NVIDIA_API_KEY: 'nvapi-env' });
    await env.chatCompletion({ model: 'm', messages: userMessage });
    agent.assertNoPendingInterceptors();
  });

  it('uses a static models list as the catalog', async () => {
    const connector = create({ models: ['meta/llama3-70b'] }, { NVIDIA_API_KEY: 'nvapi-env' });
    await connector.initialize();
    expect(connector.getAvailableModels()).toEqual(['meta/llama3-70b']);
  });

  it('runs the first-use health check unless health_check is false', async () => {
    const checked = create({}, { NVIDIA_API_KEY: 'k' });
    const pool = agent.get('https://integrate.api.nvidia.com');
    pool.intercept({ path: '/v1/models', method: 'GET' }).reply(200, modelList, { headers: { 'content-type': 'application/json' } });
    pool.intercept({ path: '/v1/chat/completions', method: 'POST' }).reply(200, completion, { headers: { 'content-type': 'application/json' } });
    await checked.chatCompletion({ model: 'm', messages: userMessage });
    agent.assertNoPendingInterceptors();

    const unchecked = create({ health_check: false }, { NVIDIA_API_KEY: 'k' });
    pool.intercept({ path: '/v1/chat/completions', method: 'POST' })
      .reply(200, completion, { headers: { 'content-type': 'application/json' } });
    await unchecked.chatCompletion({ model: 'm', messages: userMessage });
  });

  it('sends default_max_tokens (16384 unless configured, 0 for none) when a request names no limit', async () => {
    const sent: Record<string, unknown>[] = [];
    agent
      .get('https://integrate.api.nvidia.com')
      .intercept({ path: '/v1/chat/completions', method: 'POST', body: (body) => (sent.push(JSON.parse(body) as Record<string, unknown>), true) })
      .reply(200, completion, { headers: { 'content-type': 'application/json' } })
      .persist();
    const request = { model: 'meta/llama3-70b', messages: userMessage };
    await create({ api_key: 'nvapi-k', health_check: false }).chatCompletion(request);
    await create({ api_key: 'nvapi-k', health_check: false, default_max_tokens: 2048 }).chatCompletion(request);
    await create({ api_key: 'nvapi-k', health_check: false, default_max_tokens: 0 }).chatCompletion(request);
    await create({ api_key: 'nvapi-k', health_check: false }).chatCompletion({ ...request, max_tokens: 7 });
    expect(sent.map((body) => body.max_tokens)).toEqual([16384, 2048, undefined, 7]);
  });

  it('reaches NVIDIA through the HTTPS_PROXY of its environment, unless NO_PROXY names the host', async () => {
    // Its own dispatcher (none injected): what the start-up line reports, with no credentials in it.
    const through = (env: Record<string, string>) => {
      const connector = nvidiaBackend.create({ name: 'nvidia', type: 'nvidia' }, { env: { NVIDIA_API_KEY: 'nvapi-k', ...env } }) as NvidiaConnector;
      connectors.push(connector);
      return connector.upstreamProxy;
    };
    expect(through({ HTTPS_PROXY: 'http://alice:pw@proxy.corp:3128' })).toBe('http://proxy.corp:3128');
    expect(through({ HTTPS_PROXY: 'http://proxy.corp:3128', NO_PROXY: 'api.nvidia.com' })).toBeUndefined();
    expect(through({})).toBeUndefined();
  });

  it('takes the common settings, none required', () => {
    const settings = { api_url: 'http://nim.internal:8000/v1', api_key: 'nvapi-x', timeout: 900, connect_timeout: 5, models: ['a/b'], health_check: false, default_max_tokens: 4096 };
    expect(nvidiaBackend.settings.parse(settings)).toEqual(settings);
    expect(nvidiaBackend.settings.parse({})).toEqual({});
  });

  it.each([
    [{ timeout: -1 }, 'timeout: expected a number of seconds (> 0)'],
    [{ connect_timeout: '30' }, 'connect_timeout: expected a number of seconds'],
    [{ models: 'meta/llama3-70b' }, 'models: expected a list of model ids'],
    [{ models: ['a', 7] }, 'models.1: expected a model id (a string)'],
    [{ health_check: 'no' }, 'health_check: expected true or false'],
    [{ api_url: 42 }, 'api_url: expected an http(s) URL'],
    [{ api_key: 42 }, 'api_key: expected a string'],
    [{ default_max_tokens: -1 }, "default_max_tokens: expected a number of tokens (>= 0; 0 leaves NIM's own default)"],
    [{ default_max_tokens: 1.5 }, 'default_max_tokens: expected a whole number of tokens'],
  ] as const)('rejects invalid settings %j', (settings, message) => {
    const result = nvidiaBackend.settings.safeParse(settings);
    expect(result.error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)).toEqual([message]);
  });
});

describe('nvidiaBackend: key pool and pacing', () => {
  function limiterRequests(config: Partial<BackendConfig>, env: Record<string, string> = {}): KeyLimiterRequest[] {
    const requests: KeyLimiterRequest[] = [];
    const createKeyLimiter = (request: KeyLimiterRequest) => {
      requests.push(request);
      return new UnpacedKeyLimiter(request.keys.length);
    };
    connectors.push(nvidiaBackend.create({ name: 'nvidia', type: 'nvidia', ...config }, { env, dispatcher: agent, createKeyLimiter }) as NvidiaConnector);
    return requests;
  }

  it('paces the hosted integrator at 40 requests a minute per key unless configured, with NVIDIA_API_KEYS as the pool', () => {
    const [request] = limiterRequests({}, { NVIDIA_API_KEYS: 'nvapi-a, Bearer nvapi-b' });
    expect(request).toEqual({ backend: 'nvidia', keys: ['nvapi-a', 'nvapi-b'], rateLimit: { requestsPerMinute: 40, maxWaitMs: 60_000, maxConcurrent: 0 } });
  });

  it('paces a self-hosted NIM only as configured, and the configured keys win over the environment', () => {
    const [request] = limiterRequests(
      { api_url: 'http://nim.internal:8000/v1', api_key: 'nvapi-yaml', api_keys: ['nvapi-yaml-2'], rate_limit: { max_wait: 5, max_concurrent: 2 } },
      { NVIDIA_API_KEY: 'nvapi-env' },
    );
    expect(request).toEqual({ backend: 'nvidia', keys: ['nvapi-yaml', 'nvapi-yaml-2'], rateLimit: { requestsPerMinute: 0, maxWaitMs: 5000, maxConcurrent: 2 } });
  });

  it('builds no limiter without a key', () => {
    expect(limiterRequests({})).toEqual([]);
  });
});
