import { describe, expect, it } from 'vitest';
import { KeyRefusals, MODEL_REFUSAL_MS } from './key-refusals.js';

describe('KeyRefusals', () => {
  it('avoids nothing until a key is refused', () => {
    const refusals = new KeyRefusals();
    expect(refusals.avoidFor('m')).toBeUndefined();
    expect(refusals.avoidFor(undefined)).toBeUndefined();
  });

  it('keeps a key refused for a model from that model only, for MODEL_REFUSAL_MS', () => {
    let now = 0;
    const refusals = new KeyRefusals(() => now);
    expect(refusals.refused(1, 'a')).toBe('model');
    expect(refusals.avoidFor('a')).toEqual(new Set([1]));
    expect(refusals.avoidFor('b')).toBeUndefined();
    now = MODEL_REFUSAL_MS - 1;
    expect(refusals.avoidFor('a')).toEqual(new Set([1]));
    now = MODEL_REFUSAL_MS;
    expect(refusals.avoidFor('a')).toBeUndefined();
  });

  it('calls a key bad when it is refused for a second model before it served a request', () => {
    const refusals = new KeyRefusals();
    expect(refusals.refused(0, 'a')).toBe('model');
    expect(refusals.refused(0, 'a')).toBe('model'); // the same model again tells nothing new
    expect(refusals.refused(1, 'b')).toBe('model'); // another key's refusals are its own
    expect(refusals.refused(0, 'b')).toBe('key');
  });

  it('forgets the refusals of a key once it served a request: a key lacking two models is not a bad key', () => {
    const refusals = new KeyRefusals();
    expect(refusals.refused(0, 'a')).toBe('model');
    refusals.served(0);
    expect(refusals.refused(0, 'b')).toBe('model');
    expect(refusals.avoidFor('a')).toEqual(new Set([0]));
    expect(refusals.avoidFor('b')).toEqual(new Set([0]));
  });

  it('remembers a bounded number of models (the names come from clients)', () => {
    const refusals = new KeyRefusals();
    for (let n = 0; n < 1_001; n++) {
      refusals.refused(n, `model-${n}`);
      refusals.served(n);
    }
    expect(refusals.avoidFor('model-0')).toBeUndefined();
    expect(refusals.avoidFor('model-1')).toEqual(new Set([1]));
    expect(refusals.avoidFor('model-1000')).toEqual(new Set([1000]));
  });
});
