import { describe, expect, it, vi } from 'vitest';
import { settleWithin } from './settle-within.js';

describe('settleWithin', () => {
  it('reports a value or a rejection that came in time, and clears its timer', async () => {
    vi.useFakeTimers();
    try {
      await expect(settleWithin(Promise.resolve(1), 100)).resolves.toEqual({ status: 'fulfilled', value: 1 });
      const reason = new Error('no');
      await expect(settleWithin(Promise.reject(reason), 100)).resolves.toEqual({ status: 'rejected', reason });
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('reports pending after the time, and a later rejection is still seen by the next awaiter', async () => {
    let reject!: (error: Error) => void;
    const slow = new Promise<number>((_resolve, rejectWith) => (reject = rejectWith));
    await expect(settleWithin(slow, 10)).resolves.toEqual({ status: 'pending' });
    reject(new Error('late'));
    await expect(slow).rejects.toThrow('late');
  });
});
