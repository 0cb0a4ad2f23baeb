import { describe, expect, it } from 'vitest';
import { UnpacedKeyLimiter } from './unpaced-key-limiter.js';

describe('UnpacedKeyLimiter', () => {
  it('uses the keys in turn, skipping removed ones, and keeps the last', () => {
    const limiter = new UnpacedKeyLimiter(3);
    expect([0, 1, 2, 3].map(() => limiter.acquire().index)).toEqual([0, 1, 2, 0]);
    expect(limiter.remove(1)).toBe(true);
    expect([0, 1, 2].map(() => limiter.acquire().index)).toEqual([2, 0, 2]);
    expect(limiter.remove(0)).toBe(true);
    expect(limiter.remove(2)).toBe(false);
  });

  it('passes over the keys to avoid while another usable key is left', () => {
    const limiter = new UnpacedKeyLimiter(3);
    const avoid = new Set([0, 2]);
    expect([0, 1, 2].map(() => limiter.acquire(undefined, false, avoid).index)).toEqual([1, 1, 1]);
    expect(limiter.hasOtherKey(1, avoid)).toBe(false);
    expect(limiter.hasOtherKey(0, avoid)).toBe(true);
    limiter.remove(1);
    // Every usable key avoided: the keys are used as usual.
    expect(new Set([0, 1].map(() => limiter.acquire(undefined, false, avoid).index))).toEqual(new Set([0, 2]));
  });
});
