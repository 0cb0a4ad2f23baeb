import * as crypto from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { ApiKeyVerifier } from './api-key-verifier.js';
import { bearerToken } from './bearer-auth.js';

vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof crypto>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});

describe('ApiKeyVerifier', () => {
  it('accepts exactly the configured keys', () => {
    const verifier = new ApiKeyVerifier(['alpha', 'beta-key']);
    expect(verifier.verify('alpha')).toBe(true);
    expect(verifier.verify('beta-key')).toBe(true);
    expect(verifier.verify('alph')).toBe(false);
    expect(verifier.verify('alpha ')).toBe(false);
    expect(verifier.verify('')).toBe(false);
    expect(new ApiKeyVerifier([]).verify('alpha')).toBe(false);
  });

  it('hashes keys as UTF-8, so non-ASCII keys match only themselves', () => {
    const verifier = new ApiKeyVerifier(['clé-🔑', 'ключ']);
    expect(verifier.verify('clé-🔑')).toBe(true);
    expect(verifier.verify('ключ')).toBe(true);
    expect(verifier.verify('cle-🔑')).toBe(false);
    expect(verifier.verify('clé-\ud83d')).toBe(false);
  });

  it('compares equal-length digests in constant time against every key, even after a match', () => {
    const compare = vi.mocked(crypto.timingSafeEqual);
    const verifier = new ApiKeyVerifier(['first', 'second', 'third']);
    compare.mockClear();
    expect(verifier.verify('first')).toBe(true);
    expect(compare).toHaveBeenCalledTimes(3);
    for (const [a, b] of compare.mock.calls) {
      expect((a as Buffer).length).toBe(32);
      expect((b as Buffer).length).toBe(32);
    }
    compare.mockClear();
    verifier.verify('a much longer key than any configured one');
    expect(compare).toHaveBeenCalledTimes(3);
  });
});

describe('ApiKeyVerifier: no cache of keys', () => {
  it('hashes and compares on every call, for a key that passed before too', () => {
    const compare = vi.mocked(crypto.timingSafeEqual);
    const verifier = new ApiKeyVerifier(['first', 'second']);
    compare.mockClear();
    for (let i = 0; i < 3; i++) expect(verifier.verify('first')).toBe(true);
    expect(compare).toHaveBeenCalledTimes(6);
    compare.mockClear();
    for (let i = 0; i < 3; i++) expect(verifier.verify('firs')).toBe(false);
    expect(compare).toHaveBeenCalledTimes(6);
    expect(verifier.verify('second')).toBe(true);
  });
});

describe('bearerToken', () => {
  it.each([
    ['Bearer abc', 'abc'],
    ['bearer abc', 'abc'],
    ['  BEARER   abc  ', 'abc'],
    ['Basic abc', undefined],
    ['Bearer', undefined],
    ['Bearer a b', undefined],
    [undefined, undefined],
  ])('%j → %j', (header, token) => {
    expect(bearerToken(header)).toBe(token);
  });
});
