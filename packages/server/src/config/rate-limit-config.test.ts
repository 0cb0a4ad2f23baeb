import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '../cli/parse-cli-args.js';
import { collectSecrets } from './collect-secrets.js';
import { loadConfig } from './load-config.js';
import { resolveConfig } from './resolve-config.js';

describe('redis_url and key pools in the configuration', () => {
  it('reads redis_url from PROXY_REDIS_URL and --redis-url, the command line winning', () => {
    const env = { PROXY_REDIS_URL: 'redis://10.0.0.1:6379' };
    expect(loadConfig({ env, cwd: '/nonexistent' }).config.redis_url).toBe('redis://10.0.0.1:6379');
    const cli = parseCliArgs(['--redis-url', 'rediss://cache.internal:6380/2']).layer;
    expect(loadConfig({ env, cli, cwd: '/nonexistent' }).config.redis_url).toBe('rediss://cache.internal:6380/2');
    expect(loadConfig({ env: {}, cwd: '/nonexistent' }).config.redis_url).toBeUndefined();
  });

  it('refuses a redis_url that is not redis:// or rediss://', () => {
    expect(() => resolveConfig({ redis_url: 'http://127.0.0.1:6379' })).toThrow(/redis_url: expected a redis:\/\/ or rediss:\/\/ URL/);
  });

  it('counts every pool key and the Redis password as secrets', () => {
    const config = resolveConfig({ redis_url: 'redis://:s3cr%40t@127.0.0.1:6379', backends: { nvidia: { api_keys: ['nvapi-pool-one', ' Bearer nvapi-pool-two '] } } });
    const secrets = collectSecrets(config, { NVIDIA_API_KEYS: 'nvapi-env-a,nvapi-env-b' });
    expect(secrets).toEqual(expect.arrayContaining(['nvapi-pool-one', 'nvapi-pool-two', 's3cr@t', 'nvapi-env-a', 'nvapi-env-b']));
  });

  it('counts the password of the HTTP proxy the upstreams are reached through as a secret', () => {
    const secrets = collectSecrets(resolveConfig({}), { https_proxy: 'http://alice:pr%40xy-pass@proxy.corp:3128' });
    expect(secrets).toContain('pr@xy-pass');
  });
});
