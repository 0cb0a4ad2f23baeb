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
    expect(verifier.verify('alpha')).toBeDefined();
    expect(verifier.verify('beta-key')).toBeDefined();
    expect(verifier.verify('alph')).toBeUndefined();
    expect(verifier.verify('alpha ')).toBeUndefined();
    expect(verifier.verify('')).toBeUndefined();
    expect(new ApiKeyVerifier([]).verify('alpha')).toBeUndefined();
  });

  it('compares keys as UTF-8, so non-ASCII keys match only themselves', () => {
    const verifier = new ApiKeyVerifier(['clé-🔑', 'ключ']);
    expect(verifier.verify('clé-🔑')).toBeDefined();
    expect(verifier.verify('ключ')).toBeDefined();
    expect(verifier.verify('cle-🔑')).toBeUndefined();
    expect(verifier.verify('clé-\ud83d')).toBeUndefined();
  });

  it('compares equal-length buffers in constant time against every key, even after a match', () => {
    const compare = vi.mocked(crypto.timingSafeEqual);
    const verifier = new ApiKeyVerifier(['first', 'second', 'third']);
    for (const presented of ['first', 'third', 'sec', 'nope!!']) {
      compare.mockClear();
      verifier.verify(presented);
      expect(compare).toHaveBeenCalledTimes(3);
      for (const [a, b] of compare.mock.calls) {
        expect((a as Buffer).length).toBe('second'.length);
        expect((b as Buffer).length).toBe('second'.length);
      }
    }
  });

  it('refuses a key longer than every configured one without comparing, and a padded prefix of a key', () => {
    const compare = vi.mocked(crypto.timingSafeEqual);
    const verifier = new ApiKeyVerifier(['first', 'second']);
    compare.mockClear();
    expect(verifier.verify('a much longer key than any configured one')).toBeUndefined();
    expect(compare).not.toHaveBeenCalled();
    expect(verifier.verify('first\u0000')).toBeUndefined();
    expect(verifier.verify('secon')).toBeUndefined();
  });
});

describe('ApiKeyVerifier: key names', () => {
  it("answers the matched key's name, and no name for a bare key", () => {
    const verifier = new ApiKeyVerifier([{ name: 'alice', key: 'k-alice' }, 'k-bare', { name: 'bob', key: 'k-bob' }]);
    expect(verifier.verify('k-alice')).toEqual({ name: 'alice' });
    expect(verifier.verify('k-bob')).toEqual({ name: 'bob' });
    expect(verifier.verify('k-bare')).toEqual({ name: undefined });
    expect(verifier.verify('alice')).toBeUndefined();
  });

  it('compares against every key, named or not', () => {
    const compare = vi.mocked(crypto.timingSafeEqual);
    const verifier = new ApiKeyVerifier([{ name: 'a', key: 'one' }, 'two', { name: 'c', key: 'three' }]);
    compare.mockClear();
    expect(verifier.verify('one')).toEqual({ name: 'a' });
    expect(compare).toHaveBeenCalledTimes(3);
  });
});

describe('ApiKeyVerifier: no cache of keys', () => {
  it('hashes and compares on every call, for a key that passed before too', () => {
    const compare = vi.mocked(crypto.timingSafeEqual);
    const verifier = new ApiKeyVerifier(['first', 'second']);
    compare.mockClear();
    for (let i = 0; i < 3; i++) expect(verifier.verify('first')).toBeDefined();
    expect(compare).toHaveBeenCalledTimes(6);
    compare.mockClear();
    for (let i = 0; i < 3; i++) expect(verifier.verify('firs')).toBeUndefined();
    expect(compare).toHaveBeenCalledTimes(6);
    expect(verifier.verify('second')).toBeDefined();
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
