import { ProxyError, type KeyLease } from '@proxy/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { KeyStore } from './key-store.js';
import { MemoryKeyStore } from './memory-key-store.js';
import { DEFAULT_REST_MS, PacedKeyLimiter, type LimiterObserver } from './paced-key-limiter.js';

const W = 10_000;

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

function limiter(size: number, requestsPerMinute: number, maxWaitMs: number, maxConcurrent = 0) {
  const events: string[] = [];
  const observer: LimiterObserver = {
    leased: (index, queuedMs) => events.push(`lease ${index} ${queuedMs}`),
    queueDepth: () => undefined,
    rested: (index, ms) => events.push(`rest ${index} ${ms}`),
    refused: () => events.push('refused'),
    removed: (index, status, kept) => events.push(`removed ${index} ${status}${kept ? ' kept' : ''}`),
  };
  const store = new MemoryKeyStore({ size, requestsPerMinute, maxConcurrent, windowMs: W }, Date.now);
  return { events, paced: new PacedKeyLimiter({ backend: 'nvidia', size, rateLimit: { requestsPerMinute, maxWaitMs, maxConcurrent }, store, observer, now: Date.now }) };
}

async function refusal(promise: KeyLease | Promise<KeyLease>): Promise<ProxyError> {
  const error = await Promise.resolve(promise).then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!ProxyError.isInstance(error)) throw new Error('expected a refusal');
  return error;
}

describe('PacedKeyLimiter', () => {
  it('answers at once, without a promise, while a slot is free', () => {
    const { paced } = limiter(2, 2, W);
    const lease = paced.acquire(undefined, false);
    expect(lease).not.toBeInstanceOf(Promise);
    expect((lease as KeyLease).queuedMs).toBe(0);
  });

  it('serves the head of the queue on time when a later request joins it with a later slot', async () => {
    const { paced } = limiter(1, 1, 3 * W);
    paced.acquire(undefined, false);
    vi.advanceTimersByTime(1000);
    const served: number[] = [];
    const second = Promise.resolve(paced.acquire(undefined, false)).then((lease) => (served.push(2), lease));
    await vi.advanceTimersByTimeAsync(1000);
    const third = Promise.resolve(paced.acquire(undefined, false)).then((lease) => (served.push(3), lease));
    await vi.advanceTimersByTimeAsync(W - 2000 + 2);
    // The second's slot freed one window after the first: the third's later slot did not push its turn back.
    expect(served).toEqual([2]);
    await vi.advanceTimersByTimeAsync(W);
    expect(served).toEqual([2, 3]);
    await Promise.all([second, third]);
  });

  it('tells requests admitted together their own slots, and refuses the ones whose slot is past max_wait', async () => {
    const { paced } = limiter(1, 1, W + 5000);
    paced.acquire(undefined, false);
    // Two arrive in the same tick: the first gets the slot one window on, the second the one after, past max_wait.
    const first = Promise.resolve(paced.acquire(undefined, false));
    const second = refusal(paced.acquire(undefined, false));
    await vi.advanceTimersByTimeAsync(0);
    expect((await second).headers['retry-after']).toBe(String(Math.ceil((2 * W + 1) / 1000)));
    await vi.advanceTimersByTimeAsync(W + 2);
    expect((await first).queuedMs).toBeGreaterThanOrEqual(W);
  });

  it('queues in FIFO order and serves each request when its slot frees, with how long it waited', async () => {
    const { paced, events } = limiter(1, 2, 2 * W);
    paced.acquire(undefined, false);
    vi.advanceTimersByTime(1000);
    paced.acquire(undefined, false);
    const served: number[] = [];
    const third = Promise.resolve(paced.acquire(undefined, false)).then((lease) => (served.push(3), lease));
    const fourth = Promise.resolve(paced.acquire(undefined, false)).then((lease) => (served.push(4), lease));
    await vi.advanceTimersByTimeAsync(0);
    expect(paced.queued).toBe(2);
    await vi.advanceTimersByTimeAsync(W - 1000);
    expect(served).toEqual([]); // the first request's slot frees just after one window
    await vi.advanceTimersByTimeAsync(2);
    expect(served).toEqual([3]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(served).toEqual([3, 4]);
    // Both queued at 1000: the third got the slot freed at W + 1, the fourth the one freed at W + 1001.
    expect((await third).queuedMs).toBe(W + 1 - 1000);
    expect((await fourth).queuedMs).toBe(W + 1);
    expect(events.filter((event) => event.startsWith('lease'))).toEqual(['lease 0 0', 'lease 0 0', `lease 0 ${W - 999}`, `lease 0 ${W + 1}`]);
  });

  it('refuses at admission, with the wait as Retry-After, when the slot frees later than max_wait', async () => {
    const { paced, events } = limiter(1, 1, 3000);
    paced.acquire(undefined, false);
    const error = await refusal(paced.acquire(undefined, false));
    expect(error.status).toBe(429);
    expect(error.code).toBe('rate_limited');
    expect(error.isRetryable).toBe(false);
    expect(error.headers).toEqual({ 'retry-after': String(Math.ceil((W + 1) / 1000)) });
    expect(events).toContain('refused');
    // A request that was already answered 429 upstream (or waited) tells its client not to retry on top.
    expect((await refusal(paced.acquire(undefined, true))).headers['x-should-retry']).toBe('false');
  });

  it('counts the requests already queued when it decides at admission', async () => {
    const { paced } = limiter(1, 1, W + 500);
    paced.acquire(undefined, false);
    const queued = paced.acquire(undefined, false);
    await vi.advanceTimersByTimeAsync(0);
    expect(paced.queued).toBe(1);
    // The next slot (W + 1 away) is the queued request's; this one's is a window later: beyond max_wait.
    expect((await refusal(paced.acquire(undefined, false))).status).toBe(429);
    await vi.advanceTimersByTimeAsync(W + 1);
    await expect(queued).resolves.toMatchObject({ index: 0 });
  });

  it('lets a queued request go when its client leaves', async () => {
    const { paced } = limiter(1, 1, 2 * W);
    paced.acquire(undefined, false);
    const controller = new AbortController();
    const waiting = refusal(paced.acquire(controller.signal, false));
    await vi.advanceTimersByTimeAsync(0);
    controller.abort();
    expect((await waiting).status).toBe(499);
    expect(paced.queued).toBe(0);
  });

  it('lets a request go whose client left while a shared store (Redis) was asked for its wait: no place kept, no slot spent', async () => {
    const memory = new MemoryKeyStore({ size: 1, requestsPerMinute: 1, maxConcurrent: 0, windowMs: W }, Date.now);
    let answer: (() => void) | undefined;
    // Redis answers a round trip later: the client may leave meanwhile.
    const store: KeyStore = {
      take: (usable) => memory.take(usable),
      wait: (position, usable) => new Promise((resolve) => (answer = () => resolve(memory.wait(position, usable)))),
      rest: (index, ms) => memory.rest(index, ms),
      release: (taken) => memory.release(taken),
    };
    const paced = new PacedKeyLimiter({ backend: 'nvidia', size: 1, rateLimit: { requestsPerMinute: 1, maxWaitMs: 2 * W, maxConcurrent: 0 }, store, now: Date.now });
    paced.acquire(undefined, false);
    const controller = new AbortController();
    const waiting = refusal(paced.acquire(controller.signal, false));
    await vi.advanceTimersByTimeAsync(0);
    controller.abort();
    answer!();
    await vi.advanceTimersByTimeAsync(0);
    expect(paced.queued).toBe(0);
    expect((await waiting).status).toBe(499);
    // The slot that frees goes to the next request, not to the request whose client left.
    await vi.advanceTimersByTimeAsync(W + 1);
    expect(paced.acquire(undefined, false)).not.toBeInstanceOf(Promise);
  });

  it("adds the wait of a request that got no slot (refused after its wait, or its client left) to its report's queuedMs", async () => {
    const { paced } = limiter(1, 0, 5000, 1);
    paced.acquire(undefined, false);
    const refused = { queuedMs: 100 }; // an earlier attempt's wait is kept
    const refusedWait = refusal(paced.acquire(undefined, false, undefined, refused));
    await vi.advanceTimersByTimeAsync(5200);
    expect((await refusedWait).status).toBe(429);
    // Its earlier 100 ms and this wait: max_wait in all.
    expect(refused.queuedMs).toBeGreaterThanOrEqual(5000);
    expect(refused.queuedMs).toBeLessThanOrEqual(5200);
    const left: { queuedMs?: number } = {};
    const controller = new AbortController();
    const leftWait = refusal(paced.acquire(controller.signal, false, undefined, left));
    await vi.advanceTimersByTimeAsync(1500);
    controller.abort();
    expect((await leftWait).status).toBe(499);
    expect(left.queuedMs).toBe(1500);
    // Refused at admission: it waited for nothing, and says so.
    const { paced: windowed } = limiter(1, 1, 1000);
    windowed.acquire(undefined, false);
    const atOnce: { queuedMs?: number } = {};
    expect((await refusal(windowed.acquire(undefined, false, undefined, atOnce))).status).toBe(429);
    expect(atOnce.queuedMs).toBeUndefined();
  });

  it('counts the waits of earlier attempts against max_wait: a request waits at most max_wait in all', async () => {
    const { paced } = limiter(1, 1, W);
    paced.acquire(undefined, false);
    await vi.advanceTimersByTimeAsync(1000);
    // Its slot frees in W - 1000 ms, within max_wait, but an earlier attempt of the request (another key, or
    // before the server's retry) already waited 5000 ms of it.
    const spent = { queuedMs: 5000 };
    const error = await refusal(paced.acquire(undefined, true, undefined, spent));
    expect(error.status).toBe(429);
    expect(spent.queuedMs).toBe(5000); // refused at admission: no more waited
    // One that waited 500 ms before queues, and is refused when its remaining W - 500 ms are up.
    const { paced: capped } = limiter(1, 0, W, 1);
    capped.acquire(undefined, false);
    const waited = { queuedMs: 500 };
    let settled = false;
    const answer = refusal(capped.acquire(undefined, true, undefined, waited)).finally(() => (settled = true));
    await vi.advanceTimersByTimeAsync(W - 700);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(400);
    expect(settled).toBe(true);
    expect((await answer).status).toBe(429);
    expect(waited.queuedMs).toBeGreaterThanOrEqual(W);
  });

  it('rests a key for Retry-After, or 60 s without one in a pool of several, and moves requests to the other key', () => {
    const { paced, events } = limiter(2, 0, W);
    paced.rest(0, undefined);
    expect(events).toEqual([`rest 0 ${DEFAULT_REST_MS}`]);
    expect([paced.acquire(undefined, true), paced.acquire(undefined, false)].map((lease) => (lease as KeyLease).index)).toEqual([1, 1]);
    vi.advanceTimersByTime(DEFAULT_REST_MS + 1);
    const indices = [paced.acquire(undefined, false), paced.acquire(undefined, false)].map((lease) => (lease as KeyLease).index);
    expect(indices).toContain(0);
  });

  it('never rests a pool of one longer than the upstream asked: without Retry-After, not at all', () => {
    const { paced, events } = limiter(1, 5, W);
    paced.rest(0, undefined);
    expect(events).toEqual([]);
    expect((paced.acquire(undefined, false) as KeyLease).index).toBe(0);
    paced.rest(0, 2000);
    expect(events).toEqual(['lease 0 0', 'rest 0 2000']);
  });

  it('refuses at once with max_wait 0 when only a release can free a slot (the cap): sent now or refused', async () => {
    const { paced, events } = limiter(1, 0, 0, 1);
    const held = paced.acquire(undefined, false) as KeyLease;
    const refused = paced.acquire(undefined, false);
    let settled = false;
    const answer = refusal(refused).finally(() => (settled = true));
    await vi.advanceTimersByTimeAsync(0); // no clock moves: it is refused without waiting for a look at the queue
    expect(settled).toBe(true);
    const error = await answer;
    expect(error.status).toBe(429);
    expect(error.headers['x-should-retry']).toBeUndefined(); // nothing was waited for it
    expect(paced.queued).toBe(0);
    held.release();
    expect(events).toEqual(['lease 0 0', 'refused']);
  });

  it('names the limits that hold in its refusal: a minute, at a time, or both', async () => {
    const capped = limiter(1, 0, 0, 1).paced;
    capped.acquire(undefined, false);
    const cappedRefusal = refusal(capped.acquire(undefined, false));
    await vi.advanceTimersByTimeAsync(200); // a cap frees on a release, which no clock foretells: the queue looks again
    expect((await cappedRefusal).message).toContain('(1 at a time per key)');
    const both = limiter(1, 1, 0, 2).paced;
    both.acquire(undefined, false);
    const bothRefusal = refusal(both.acquire(undefined, false));
    await vi.advanceTimersByTimeAsync(200);
    expect((await bothRefusal).message).toContain('(1 a minute, 2 at a time per key)');
  });

  it('takes a refused key out (the last one stays), and a queued request waits for a cap slot a release frees', async () => {
    const { paced, events } = limiter(2, 0, W, 1);
    expect(paced.remove(0, 401)).toBe(true);
    expect(paced.remove(0, 403)).toBe(true); // a request in flight on it refused too: said once
    expect(paced.remove(1, 403)).toBe(false);
    expect(events).toEqual(['removed 0 401', 'removed 1 403 kept']);
    const first = paced.acquire(undefined, false) as KeyLease;
    expect(first.index).toBe(1);
    const second = paced.acquire(undefined, false);
    await vi.advanceTimersByTimeAsync(0);
    expect(paced.queued).toBe(1);
    first.release();
    first.release(); // once only
    await vi.advanceTimersByTimeAsync(1);
    await expect(second).resolves.toMatchObject({ index: 1 });
  });

  it('passes over the keys a request must avoid while another usable key is left, in the queue too', async () => {
    const { paced } = limiter(3, 1, 2 * W);
    const avoid = new Set([0, 1]);
    expect(paced.hasOtherKey(0, avoid)).toBe(true);
    expect(paced.hasOtherKey(2, avoid)).toBe(false);
    const first = paced.acquire(undefined, false, avoid) as KeyLease;
    expect(first.index).toBe(2);
    // Key 2's one slot a window is used: the request waits for it rather than taking key 0 or 1, which are free.
    const second = paced.acquire(undefined, false, avoid);
    await vi.advanceTimersByTimeAsync(0);
    expect(paced.queued).toBe(1);
    await vi.advanceTimersByTimeAsync(2 * W);
    await expect(second).resolves.toMatchObject({ index: 2 });
    // Avoiding every usable key avoids none: the request goes to the keys as usual (its client hears their answer).
    expect((paced.acquire(undefined, false, new Set([0, 1, 2])) as KeyLease).index).not.toBe(2);
  });

  it('gives a key taken out meanwhile to no queued request that avoids the others', async () => {
    const { paced } = limiter(3, 1, 2 * W);
    const avoid = new Set([0]);
    for (const index of [1, 2]) expect((paced.acquire(undefined, false, new Set([0, 3 - index])) as KeyLease).index).toBe(index);
    const queued = paced.acquire(undefined, false, avoid);
    await vi.advanceTimersByTimeAsync(0);
    expect(paced.remove(1, 403)).toBe(true);
    await vi.advanceTimersByTimeAsync(2 * W);
    await expect(queued).resolves.toMatchObject({ index: 2 });
  });

  it('does not hold up requests that may use a key a queued request kept from some keys cannot', async () => {
    const { paced } = limiter(2, 1, 3 * W);
    const forModel = new Set([0]);
    expect((paced.acquire(undefined, false, forModel) as KeyLease).index).toBe(1);
    // Key 1's one slot a window is used: the next request for that model waits for it.
    const waiting = paced.acquire(undefined, false, forModel);
    await vi.advanceTimersByTimeAsync(0);
    expect(paced.queued).toBe(1);
    // A request for another model may use key 0, which the waiting one cannot: it is served at once.
    const other = paced.acquire(undefined, false);
    expect(other).not.toBeInstanceOf(Promise);
    expect((other as KeyLease).index).toBe(0);
    // A request that may use only key 1 queues behind the first, and each is served in turn.
    const behind = paced.acquire(undefined, false, forModel);
    await vi.advanceTimersByTimeAsync(0);
    expect(paced.queued).toBe(2);
    await vi.advanceTimersByTimeAsync(W + 1_000);
    await expect(waiting).resolves.toMatchObject({ index: 1 });
    expect(paced.queued).toBe(1);
    await vi.advanceTimersByTimeAsync(W + 1_000);
    await expect(behind).resolves.toMatchObject({ index: 1 });
  });

  it('serves a queued request that may use any key before a later one, and neither takes a key held for it', async () => {
    const { paced } = limiter(2, 1, 3 * W);
    for (const index of [0, 1]) expect((paced.acquire(undefined, false) as KeyLease).index).toBe(index);
    const first = paced.acquire(undefined, false);
    await vi.advanceTimersByTimeAsync(0);
    const second = paced.acquire(undefined, false, new Set([0]));
    await vi.advanceTimersByTimeAsync(0);
    expect(paced.queued).toBe(2);
    // Both keys free together: the first takes one, the second the other it may use.
    await vi.advanceTimersByTimeAsync(W + 1_000);
    const [a, b] = await Promise.all([first, second]);
    expect(b.index).toBe(1);
    expect(a.index).toBe(0);
  });
});
