import { describe, expect, it } from 'vitest';
import { loadConfig } from './load-config.js';
import { toProxyKeyList } from './parse-proxy-keys.js';

describe('toProxyKeyList (PROXY_API_KEYS)', () => {
  it('reads bare and named keys, comma-separated', () => {
    expect(toProxyKeyList(' sk-1, alice:sk-2 ,,bob:sk:3 ')).toEqual(['sk-1', { name: 'alice', key: 'sk-2' }, { name: 'bob', key: 'sk:3' }]);
  });

  it('keeps a key whose text before a colon is no name whole', () => {
    expect(toProxyKeyList('a b:c,:x')).toEqual(['a b:c', ':x']);
  });
});

describe('auth.api_keys with names', () => {
  const load = (layer: Record<string, unknown>, env: Record<string, string> = {}) =>
    loadConfig({ cli: layer, env, cwd: '/nonexistent-dir-for-config' }).config;

  it('takes { name, key } beside bare keys, from the YAML shape and from PROXY_API_KEYS', () => {
    expect(load({ auth: { api_keys: [{ name: 'alice', key: 'k1' }, 'k2'] } }).auth.api_keys).toEqual([{ name: 'alice', key: 'k1' }, 'k2']);
    expect(load({}, { PROXY_API_KEYS: 'alice:k1,k2' }).auth.api_keys).toEqual([{ name: 'alice', key: 'k1' }, 'k2']);
  });

  it('refuses a name that could not be a metric label, and an entry without its key', () => {
    expect(() => load({ auth: { api_keys: [{ name: 'al ice', key: 'k1' }] } })).toThrow(/auth\.api_keys\[0\]\.name: expected a name/);
    expect(() => load({ auth: { api_keys: [{ name: 'alice' }] } })).toThrow(/auth\.api_keys\[0\]/);
  });
});
