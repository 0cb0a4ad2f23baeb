import { describe, expect, it } from 'vitest';
import { FailoverKeyStore, REDIS_RETRY_AFTER_MS } from './failover-key-store.js';
import type { Taken } from './key-store.js';
import { MemoryKeyStore } from './memory-key-store.js';
import type { RedisKeyStore } from './redis-key-store.js';

/** A Redis store whose next answers are scripted: a slot, or a failure (a command timeout of a hung server). */
function scriptedRedis() {
  const answers: ('slot' | 'fail')[] = [];
  const calls = { take: 0 };
  const redis = {
    take: (): Promise<Taken> => {
      calls.take++;
      return answers.shift() === 'fail' ? Promise.reject(new Error('Command timed out')) : Promise.resolve({ index: 0, token: 'r' });
    },
    wait: () => Promise.resolve(undefined),
    rest: () => Promise.resolve(),
    release: () => undefined,
  } as unknown as RedisKeyStore;
  return { redis, answers, calls };
}

/** The client's side the store reads: its status, and its `ready` event (the handlers are kept to fire them). */
function client() {
  const ready: (() => void)[] = [];
  return {
    client: { status: 'ready', on: (_event: string, handler: () => void) => ready.push(handler) } as unknown as ConstructorParameters<typeof FailoverKeyStore>[2],
    reconnected: () => ready.forEach((handler) => handler()),
  };
}

describe('FailoverKeyStore', () => {
  it('after a failed command, paces in memory for a while instead of paying the timeout on every request, then tries Redis again', async () => {
    const time = { now: 1_000_000 };
    const { redis, answers, calls } = scriptedRedis();
    const events: string[] = [];
    const memory = new MemoryKeyStore({ size: 1, requestsPerMinute: 100, maxConcurrent: 0, windowMs: 60_000 }, () => time.now);
    const store = new FailoverKeyStore(redis, memory, client().client, { failed: () => events.push('failed'), recovered: () => events.push('recovered') }, () => time.now);
    const usable = [true];

    answers.push('fail');
    expect((await store.take(usable)).token).toBeUndefined(); // answered from memory
    expect(calls.take).toBe(1);
    await store.take(usable);
    await store.take(usable);
    expect(calls.take).toBe(1); // Redis left alone while it may still hang
    time.now += REDIS_RETRY_AFTER_MS;
    expect((await store.take(usable)).token).toBe('r');
    expect(calls.take).toBe(2);
    // The hung server answered again without a reconnect: the owner hears of the recovery (it logs it once).
    expect(events).toEqual(['failed', 'recovered']);
  });

  it('uses Redis again at once when its connection was made again', async () => {
    const time = { now: 1_000_000 };
    const { redis, answers, calls } = scriptedRedis();
    const connection = client();
    const memory = new MemoryKeyStore({ size: 1, requestsPerMinute: 100, maxConcurrent: 0, windowMs: 60_000 }, () => time.now);
    const store = new FailoverKeyStore(redis, memory, connection.client, { failed: () => undefined, recovered: () => undefined }, () => time.now);
    answers.push('fail');
    await store.take([true]);
    connection.reconnected();
    expect((await store.take([true])).token).toBe('r');
    expect(calls.take).toBe(2);
  });
});
