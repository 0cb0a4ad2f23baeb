import { describe, expect, it } from 'vitest';
import { normalizeApiKey, resolveApiKey, resolveApiKeys } from './resolve-api-key.js';

describe('normalizeApiKey', () => {
  it.each([
    ['nvapi-abc', 'nvapi-abc'],
    ['  nvapi-abc \n', 'nvapi-abc'],
    ['Bearer nvapi-abc', 'nvapi-abc'],
    ['bearer nvapi-abc', 'nvapi-abc'],
    [' BEARER   nvapi-abc  ', 'nvapi-abc'],
  ])('strips a Bearer prefix and stray whitespace from %j', (raw, key) => {
    expect(normalizeApiKey(raw)).toBe(key);
  });

  it.each([undefined, '', '   ', '\n\t', 'Bearer', 'Bearer   '])('treats %j as no key', (raw) => {
    expect(normalizeApiKey(raw)).toBeUndefined();
  });
});

describe('resolveApiKey', () => {
  it('prefers the key passed at initialisation over the environment', () => {
    expect(resolveApiKey('nvapi-yaml', 'nvapi-env')).toBe('nvapi-yaml');
  });

  it.each(['', '  ', 'Bearer '])('falls back to the environment when the configured key is %j', (configured) => {
    expect(resolveApiKey(configured, ' Bearer nvapi-env ')).toBe('nvapi-env');
  });

  it('is undefined when neither has a usable key', () => {
    expect(resolveApiKey(undefined, '  ')).toBeUndefined();
  });
});

describe('resolveApiKeys', () => {
  it('takes the configured key and list, normalised, in order, once each', () => {
    expect(resolveApiKeys({ apiKey: 'Bearer nvapi-a', apiKeys: [' nvapi-b', 'nvapi-a', ''] }, { apiKey: 'nvapi-env' })).toEqual(['nvapi-a', 'nvapi-b']);
  });

  it('lets the configuration win over the environment as a whole', () => {
    expect(resolveApiKeys({ apiKeys: ['nvapi-yaml'] }, { apiKey: 'nvapi-env', apiKeys: 'nvapi-x,nvapi-y' })).toEqual(['nvapi-yaml']);
  });

  it('falls back to NVIDIA_API_KEY then NVIDIA_API_KEYS (comma-separated)', () => {
    expect(resolveApiKeys({ apiKey: '  ', apiKeys: [] }, { apiKey: 'nvapi-one', apiKeys: 'nvapi-two, Bearer nvapi-three,,' })).toEqual([
      'nvapi-one',
      'nvapi-two',
      'nvapi-three',
    ]);
  });

  it('is empty when no layer has a usable key', () => {
    expect(resolveApiKeys({}, { apiKeys: ' , ' })).toEqual([]);
  });
});
