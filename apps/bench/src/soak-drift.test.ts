import { describe, expect, it } from 'vitest';
import { soakDrift } from './soak-drift.js';

const MiB = 2 ** 20;
const samples = (rss: number[], heap = 23) => rss.map((value) => ({ rss: value * MiB, heapUsed: heap * MiB }));

describe('soakDrift', () => {
  it('reads a flat process as flat, whatever one transient reading says', () => {
    // Measured on this machine: one tenth of a soak read 149 MiB among 130–135.
    const drift = soakDrift(samples([130, 149, 135, 135, 131, 134, 133, 132, 136, 131, 133]));
    expect(Math.abs(drift.rss)).toBeLessThan(0.01); // 131 over 130, where the two ends alone read +2%
    expect(drift.heap).toBe(0);
  });

  it('shows a leak, which lifts every later reading', () => {
    const drift = soakDrift(samples([100, 104, 108, 112, 116, 120, 124, 128, 132, 136, 140]));
    expect(drift.rss).toBeCloseTo(0.24, 5); // the floors of the two halves: 124 over 100
    expect(drift).toMatchObject({ firstRss: 100 * MiB, lastRss: 124 * MiB });
  });

  it('reads a heap that grows as a heap drift', () => {
    const drift = soakDrift([
      { rss: 100 * MiB, heapUsed: 20 * MiB },
      { rss: 100 * MiB, heapUsed: 30 * MiB },
    ]);
    expect(drift.heap).toBeCloseTo(0.5, 5);
    expect(drift.rss).toBe(0);
  });

  it('needs two samples', () => {
    expect(() => soakDrift(samples([100]))).toThrow('at least two');
  });
});
