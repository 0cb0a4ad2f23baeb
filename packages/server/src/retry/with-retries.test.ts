import { ProxyError } from '@proxy/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RetryPolicy } from './retry-policy.js';
import { abortableSleep, withRetries, type RetryEvent } from './with-retries.js';

const upstream = (status: number, headers: Record<string, string> = {}) =>
  new ProxyError({ message: `HTTP ${status}`, status, upstreamStatus: status, headers });
const policy: RetryPolicy = { maxRetries: 2, baseDelayMs: 500, maxDelayMs: 8000 };

/** A fake clock whose sleep advances time instantly, recording every wait. */
function fakeTime(start = 1_000_000) {
  let time = start;
  const waits: number[] = [];
  return {
    waits,
    now: () => time,
    sleep: async (ms: number) => {
      waits.push(ms);
      time += ms;
    },
  };
}

function failing(...outcomes: (Error | string)[]) {
  const calls = { count: 0 };
  const attempt = vi.fn(async () => {
    const outcome = outcomes[calls.count++];
    if (outcome instanceof Error) throw outcome;
    return outcome ?? 'ok';
  });
  return attempt;
}

describe('withRetries', () => {
  afterEach(() => vi.useRealTimers());

  it('retries retryable failures with jittered backoff and reports each retry', async () => {
    const time = fakeTime();
    const events: RetryEvent[] = [];
    const attempt = failing(upstream(503), upstream(502), 'done');
    const result = await withRetries(attempt, { policy, ...time, random: () => 0.5, onRetry: (event) => events.push(event) });
    expect(result).toBe('done');
    expect(attempt).toHaveBeenCalledTimes(3);
    expect(time.waits).toEqual([250, 500]);
    expect(events.map(({ retry, reason, delayMs }) => ({ retry, reason, delayMs }))).toEqual([
      { retry: 1, reason: 'http_503', delayMs: 250 },
      { retry: 2, reason: 'http_502', delayMs: 500 },
    ]);
  });

  it('gives up after max_retries with the last failure', async () => {
    const time = fakeTime();
    const last = upstream(504);
    const attempt = failing(upstream(503), upstream(503), last, 'never');
    await expect(withRetries(attempt, { policy, ...time, random: () => 0 })).rejects.toBe(last);
    expect(attempt).toHaveBeenCalledTimes(3);
  });

  it('does not retry with max_retries 0, nor a non-retryable failure', async () => {
    const time = fakeTime();
    const attempt = failing(upstream(503), 'ok');
    await expect(withRetries(attempt, { policy: { ...policy, maxRetries: 0 }, ...time })).rejects.toMatchObject({ status: 503 });
    const bad = failing(upstream(400), 'ok');
    await expect(withRetries(bad, { policy, ...time })).rejects.toMatchObject({ status: 400 });
    expect(attempt).toHaveBeenCalledTimes(1);
    expect(bad).toHaveBeenCalledTimes(1);
    expect(time.waits).toEqual([]);
  });

  it('waits what Retry-After asks, and not at all when it asks for more than the cap', async () => {
    const time = fakeTime();
    await withRetries(failing(upstream(429, { 'retry-after': '2' }), 'ok'), { policy, ...time, random: () => 0 });
    expect(time.waits).toEqual([2000]);
    const tooLong = failing(upstream(429, { 'retry-after': '120' }), 'ok');
    await expect(withRetries(tooLong, { policy, ...time })).rejects.toMatchObject({ status: 429 });
    expect(tooLong).toHaveBeenCalledTimes(1);
  });

  it('skips a retry that would start after the deadline', async () => {
    const time = fakeTime();
    const attempt = failing(upstream(429, { 'retry-after': '2' }), 'ok');
    await expect(withRetries(attempt, { policy, ...time, deadline: time.now() + 1500 })).rejects.toMatchObject({ status: 429 });
    expect(attempt).toHaveBeenCalledTimes(1);
  });

  it('stops at once when the signal fires, during the wait too', async () => {
    const controller = new AbortController();
    const attempt = failing(upstream(503), 'ok');
    const pending = withRetries(attempt, {
      policy,
      signal: controller.signal,
      random: () => 0.999,
      onRetry: () => setImmediate(() => controller.abort()),
    });
    await expect(pending).rejects.toMatchObject({ status: 503 });
    expect(attempt).toHaveBeenCalledTimes(1);

    const already = failing(upstream(503), 'ok');
    await expect(withRetries(already, { policy, signal: AbortSignal.abort() })).rejects.toMatchObject({ status: 503 });
    expect(already).toHaveBeenCalledTimes(1);
  });
});

describe('abortableSleep', () => {
  it('resolves after the delay, or at once on abort, leaving no timer', async () => {
    vi.useFakeTimers();
    const controller = new AbortController();
    const sleeping = abortableSleep(10_000, controller.signal);
    expect(vi.getTimerCount()).toBe(1);
    controller.abort();
    await sleeping;
    expect(vi.getTimerCount()).toBe(0);
    const timed = abortableSleep(100, undefined);
    await vi.advanceTimersByTimeAsync(100);
    await timed;
    expect(vi.getTimerCount()).toBe(0);
  });
});
