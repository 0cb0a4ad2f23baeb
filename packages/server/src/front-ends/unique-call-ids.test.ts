import { describe, expect, it } from 'vitest';
import { UniqueCallIds } from './unique-call-ids.js';

describe('UniqueCallIds', () => {
  it("keeps the upstream's id while it is free, and gives a repeated, taken or missing one the fallback", () => {
    const ids = new UniqueCallIds(() => ['old'], (index) => `call_r_${index}`);
    expect(ids.for('a', 0)).toBe('a');
    expect(ids.for('a', 1)).toBe('call_r_1');
    expect(ids.for('old', 2)).toBe('call_r_2');
    expect(ids.for(undefined, 3)).toBe('call_r_3');
    expect(ids.for('', 4)).toBe('call_r_4');
  });

  it('numbers a fallback on while it is taken too', () => {
    const ids = new UniqueCallIds(() => ['call_r_0', 'call_r_0_1'], (index) => `call_r_${index}`);
    expect(ids.for(undefined, 0)).toBe('call_r_0_2');
  });
});
