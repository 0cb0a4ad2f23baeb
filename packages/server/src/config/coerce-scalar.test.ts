import { describe, expect, it } from 'vitest';
import { toBoolean, toList, toNumber } from './coerce-scalar.js';

describe('toNumber', () => {
  it('reads decimal notation, with spaces around it', () => {
    expect(toNumber('8000')).toBe(8000);
    expect(toNumber(' 8000 ')).toBe(8000);
    expect(toNumber('1.5')).toBe(1.5);
    expect(toNumber('.5')).toBe(0.5);
    expect(toNumber('2e6')).toBe(2_000_000);
    expect(toNumber('-1')).toBe(-1);
  });

  it('passes anything else on as text, for validation to refuse with the key named', () => {
    for (const text of ['', ' ', '0x1f40', '0b1', '0o17', 'Infinity', '1_000', '80 00', 'eight', '1e', '+']) {
      expect(toNumber(text)).toBe(text);
    }
  });
});

describe('toBoolean', () => {
  it('reads the usual words either way and passes others on', () => {
    expect(toBoolean(' Yes ')).toBe(true);
    expect(toBoolean('0')).toBe(false);
    expect(toBoolean('maybe')).toBe('maybe');
  });
});

describe('toList', () => {
  it('splits on commas and drops empty items', () => {
    expect(toList('a, b,,c ')).toEqual(['a', 'b', 'c']);
  });
});
