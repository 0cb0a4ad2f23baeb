import { describe, expect, it } from 'vitest';
import { normalizeApiKey, resolveApiKey } from './resolve-api-key.js';

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
