import { describe, expect, it } from 'vitest';
import { NIM_MIN_SILENCE_TIMEOUT_MS, resolveNimTimeouts } from './nim-timeouts.js';

describe('resolveNimTimeouts', () => {
  it('defaults to 30 s for connecting and the 300 s floor for silence', () => {
    expect(NIM_MIN_SILENCE_TIMEOUT_MS).toBe(300_000);
    expect(resolveNimTimeouts({})).toEqual({ connectMs: 30_000, silenceMs: 300_000 });
  });

  it('allows longer silence when the timeout is above the floor', () => {
    expect(resolveNimTimeouts({ timeoutMs: 900_000 }).silenceMs).toBe(900_000);
  });

  it('never allows less silence than the floor', () => {
    expect(resolveNimTimeouts({ timeoutMs: 2_000 }).silenceMs).toBe(300_000);
  });

  it('bounds connecting on its own', () => {
    expect(resolveNimTimeouts({ timeoutMs: 900_000, connectTimeoutMs: 5_000 }).connectMs).toBe(5_000);
  });

  it('takes a lower floor only when one is injected', () => {
    expect(resolveNimTimeouts({ timeoutMs: 100, minSilenceTimeoutMs: 200 }).silenceMs).toBe(200);
  });
});
