import { startRecordingUpstream, sendJson, type RecordingUpstream } from '@proxy/testkit/recording-upstream';
import { afterEach, describe, expect, it } from 'vitest';
import { collectSecrets } from '../src/config/collect-secrets.js';
import { resolveConfig } from '../src/config/resolve-config.js';
import { completion } from './support/fake-upstream.js';
import { authHeaders, chatBody, createTestProxy, type TestProxy } from './support/proxy.js';

let proxy: TestProxy | undefined;
let upstream: RecordingUpstream | undefined;
afterEach(async () => {
  await proxy?.close();
  await upstream?.close();
  proxy = upstream = undefined;
});

const KEY = 'local-upstream-key-0123456789';

describe('backends.<name>.api_key_env', () => {
  it('sends the key read from the named environment variable, for any backend type', async () => {
    upstream = await startRecordingUpstream((request, response) =>
      request.url === '/v1/models' ? sendJson(response, 200, { object: 'list', data: [] }) : sendJson(response, 200, completion('hi')),
    );
    for (const type of ['openai', 'nvidia']) {
      proxy = createTestProxy(
        upstream.url,
        { backends: { up: { type, api_url: upstream.url, api_key_env: 'VLLM_PASS', health_check: false } } },
        { env: { VLLM_PASS: ` ${KEY}\n` } },
      );
      const response = await proxy.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: authHeaders, payload: chatBody() });
      expect(response.statusCode).toBe(200);
      expect(upstream.requests.at(-1)!.headers.authorization).toBe(`Bearer ${KEY}`);
      await proxy.close();
    }
  });

  it("answers a completion on a backend without a key with x-should-retry: false, so SDKs don't retry a 503 that cannot pass", async () => {
    upstream = await startRecordingUpstream((_request, response) => sendJson(response, 200, completion('hi')));
    proxy = createTestProxy(upstream.url, { backends: { up: { type: 'nvidia', api_url: upstream.url, health_check: false } } });
    const response = await proxy.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: authHeaders, payload: chatBody() });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({ error: { code: 'upstream_api_key_missing' } });
    expect(response.headers['x-should-retry']).toBe('false');
    // An Anthropic client hears of it as an error to fix, not as an overload to wait out (Claude Code retries 529).
    const messages = await proxy.app.inject({
      method: 'POST',
      url: '/v1/messages',
      headers: { 'x-api-key': authHeaders.authorization.slice('Bearer '.length), 'anthropic-version': '2023-06-01' },
      payload: { model: 'up:m', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] },
    });
    expect(messages.statusCode).toBe(500);
    expect(messages.json()).toMatchObject({ type: 'error', error: { type: 'api_error', message: expect.stringContaining('has no NVIDIA API key') } });
    expect(messages.headers['x-should-retry']).toBe('false');
    expect(upstream.requests).toHaveLength(0);
  });

  it('stops start-up when the variable is unset, or when api_key is set too', () => {
    const build = (backend: Record<string, unknown>, env: Record<string, string> = {}) => () =>
      createTestProxy('http://127.0.0.1:9/v1', { backends: { up: { type: 'openai', api_url: 'http://127.0.0.1:9/v1', ...backend } } }, { env });
    expect(build({ api_key_env: 'VLLM_PASS' })).toThrow(/backends\.up\.api_key_env: the environment variable VLLM_PASS is not set/);
    expect(build({ api_key_env: 'VLLM_PASS', api_key: 'x' }, { VLLM_PASS: 'y' })).toThrow(/backends\.up\.api_key_env: set either api_key or api_key_env/);
    expect(build({ api_key_env: 'not a name' })).toThrow(/backends\.up\.api_key_env: expected the name of an environment variable/);
  });

  it('makes the key a secret to scrub, whatever its variable is called', () => {
    const config = resolveConfig({ backends: { up: { type: 'openai', api_url: 'http://h/v1', api_key_env: 'VLLM_PASS' } } });
    expect(collectSecrets(config, { VLLM_PASS: KEY, OTHER: 'not-a-secret' })).toContain(KEY);
    expect(collectSecrets(config, { VLLM_PASS: KEY, OTHER: 'not-a-secret' })).not.toContain('not-a-secret');
    // Other services' keys are guessed by their variable's name, and only when long enough to be real: placeholders
    // would be cut out of every answer.
    const guessed = collectSecrets(config, { OPENAI_API_KEY: 'none', HF_TOKEN: 'EMPTY', GITHUB_TOKEN: 'ghp_0123456789abcdefghij' });
    expect(guessed).toContain('ghp_0123456789abcdefghij');
    expect(guessed).not.toContain('none');
    expect(guessed).not.toContain('EMPTY');
  });
});
