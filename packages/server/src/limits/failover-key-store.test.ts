import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { FailoverKeyStore, REDIS_RETRY_AFTER_MS } from './failover-key-store.js';
import type { Taken } from './key-store.js';
import { MemoryKeyStore } from './memory-key-store.js';
import { PacedKeyLimiter } from './paced-key-limiter.js';
import { RedisConnection } from './redis-connection.js';
import type { RedisKeyStore } from './redis-key-store.js';

/** A Redis store whose next answers are scripted: a slot, or a failure (a command timeout of a hung server). */
function scriptedRedis() {
  const answers: ('slot' | 'fail')[] = [];
  const calls = { take: 0 };
  // Its slots name it as their store, as RedisKeyStore's do.
  const redis: RedisKeyStore = {
    take: (): Promise<Taken> => {
      calls.take++;
      return answers.shift() === 'fail' ? Promise.reject(new Error('Command timed out')) : Promise.resolve({ index: 0, token: 'r', store: redis });
    },
    wait: () => Promise.resolve(undefined),
    rest: () => Promise.resolve(),
    release: () => undefined,
  } as unknown as RedisKeyStore;
  return { redis, answers, calls };
}

/**
 * The shared client as the store sees it: a real EventEmitter (Node's listener limit included) with ioredis's
 * status, through the RedisConnection the server puts between them.
 */
function client() {
  const emitter = Object.assign(new EventEmitter(), { status: 'ready' as const });
  return {
    emitter,
    client: new RedisConnection(emitter as unknown as ConstructorParameters<typeof RedisConnection>[0]),
    reconnected: () => emitter.emit('ready'),
  };
}

const memoryStore = (time: { now: number }) => new MemoryKeyStore({ size: 1, requestsPerMinute: 100, maxConcurrent: 0, windowMs: 60_000 }, () => time.now);

describe('FailoverKeyStore', () => {
  it('after a failed command, paces in memory for a while instead of paying the timeout on every request, then tries Redis again', async () => {
    const time = { now: 1_000_000 };
    const { redis, answers, calls } = scriptedRedis();
    const events: string[] = [];
    const store = new FailoverKeyStore(redis, memoryStore(time), client().client, { failed: () => events.push('failed'), recovered: () => events.push('recovered') }, () => time.now);
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

  it("keeps this replica's Redis slots counted in memory too: when Redis goes away, memory does not start a fresh window", async () => {
    const time = { now: 1_000_000 };
    const { redis, answers } = scriptedRedis();
    const memory = new MemoryKeyStore({ size: 1, requestsPerMinute: 2, maxConcurrent: 0, windowMs: 60_000 }, () => time.now);
    const store = new FailoverKeyStore(redis, memory, client().client, { failed: () => undefined, recovered: () => undefined }, () => time.now);
    expect((await store.take([true])).token).toBe('r');
    time.now += 10_000;
    expect((await store.take([true])).token).toBe('r');
    // Redis stops answering: the two requests Redis counted in this minute still count, so no third is sent.
    answers.push('fail');
    expect((await store.take([true])).index).toBe(-1);
    expect(memory.wait(0, [true])).toBe(50_001);
    time.now += 50_001;
    answers.push('fail');
    expect((await store.take([true])).index).toBe(0);
  });

  it("keeps this replica's Redis leases in flight in memory until released (max_concurrent)", async () => {
    const time = { now: 1_000_000 };
    const { redis, answers } = scriptedRedis();
    const memory = new MemoryKeyStore({ size: 1, requestsPerMinute: 0, maxConcurrent: 1, windowMs: 60_000 }, () => time.now);
    const store = new FailoverKeyStore(redis, memory, client().client, { failed: () => undefined, recovered: () => undefined }, () => time.now);
    // Through the limiter, as the server uses it: a lease gives its slot back through the limiter's store.
    const paced = new PacedKeyLimiter({ backend: 'nvidia', size: 1, rateLimit: { requestsPerMinute: 0, maxWaitMs: 0, maxConcurrent: 1 }, store, now: () => time.now });
    const held = await paced.acquire(undefined, false);
    answers.push('fail');
    expect((await store.take([true])).index).toBe(-1);
    held.release();
    answers.push('fail');
    expect((await store.take([true])).index).toBe(0);
  });

  it('keeps what this replica sent in memory during an outage counted once Redis, which never heard of it, is back', async () => {
    const time = { now: 1_000_000 };
    const { redis, answers, calls } = scriptedRedis();
    const memory = new MemoryKeyStore({ size: 1, requestsPerMinute: 2, maxConcurrent: 0, windowMs: 60_000 }, () => time.now);
    const store = new FailoverKeyStore(redis, memory, client().client, { failed: () => undefined, recovered: () => undefined }, () => time.now);
    answers.push('fail');
    expect((await store.take([true])).token).toBeUndefined(); // from memory
    time.now += 1000;
    expect((await store.take([true])).token).toBeUndefined(); // from memory, Redis left alone
    // Redis is used again, and would give a slot: the key's minute is spent all the same.
    time.now += REDIS_RETRY_AFTER_MS;
    expect((await store.take([true])).index).toBe(-1);
    expect(calls.take).toBe(1);
    expect(await store.wait(0, [true])).toBe(60_001 - 1000 - REDIS_RETRY_AFTER_MS);
  });

  it('uses Redis again at once when its connection was made again', async () => {
    const time = { now: 1_000_000 };
    const { redis, answers, calls } = scriptedRedis();
    const connection = client();
    const store = new FailoverKeyStore(redis, memoryStore(time), connection.client, { failed: () => undefined, recovered: () => undefined }, () => time.now);
    answers.push('fail');
    await store.take([true]);
    connection.reconnected();
    expect((await store.take([true])).token).toBe('r');
    expect(calls.take).toBe(2);
  });

  // Regression: each store added its own 'ready' listener to the one client, and from the tenth backend paced
  // through Redis on Node printed a MaxListenersExceededWarning.
  it('shares one ready listener among the stores of one client: no MaxListenersExceededWarning with 12 backends, and a reconnect reaches every store', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const time = { now: 1_000_000 };
      const connection = client();
      const backends = Array.from({ length: 12 }, () => {
        const scripted = scriptedRedis();
        const store = new FailoverKeyStore(scripted.redis, memoryStore(time), connection.client, { failed: () => undefined, recovered: () => undefined }, () => time.now);
        return { ...scripted, store };
      });
      // Node emits the warning on the next tick of the listener that passed the limit.
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.filter((warning) => warning.name === 'MaxListenersExceededWarning')).toEqual([]);
      expect(connection.emitter.listenerCount('ready')).toBe(1);

      // Every store fails a command and pauses Redis, until the reconnect ends every pause at once.
      for (const { store, answers } of backends) {
        answers.push('fail');
        await store.take([true]);
        await store.take([true]);
      }
      expect(backends.map(({ calls }) => calls.take)).toEqual(Array(12).fill(1));
      connection.reconnected();
      for (const { store } of backends) expect((await store.take([true])).token).toBe('r');
      expect(backends.map(({ calls }) => calls.take)).toEqual(Array(12).fill(2));

      // Closed with the server: the client keeps no listener of the stores.
      connection.client.close();
      expect(connection.emitter.listenerCount('ready')).toBe(0);
    } finally {
      process.off('warning', onWarning);
    }
  });
});
