import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RedisKeyStore } from '../src/limits/redis-key-store.js';
import { hasRedisServer, startRedis, type RedisProcess } from './support/redis-server.js';

// In-flight leases (max_concurrent) shared through Redis: a replica renews what it holds, so a held slot stays
// taken however long its stream runs, and the slot of a replica that died frees within one lease time.
describe.skipIf(!hasRedisServer)('in-flight leases in Redis', () => {
  let redis: RedisProcess;
  const clients: Redis[] = [];
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.quit()));
    await redis?.stop();
  });

  it('keeps a held lease past its time while its replica lives, and frees it within that time once the replica is gone', async () => {
    const LEASE_MS = 2000; // renewed every 667 ms: only an event loop stalled for over 1.3 s could lose it
    const limits = { size: 1, requestsPerMinute: 0, maxConcurrent: 1, windowMs: 60_000 };
    const replica = () => {
      const client = new Redis(redis.url, { maxRetriesPerRequest: 0 });
      clients.push(client);
      return new RedisKeyStore(client, ['nvapi-shared-key-0123456789'], limits, { leaseTtlMs: LEASE_MS });
    };
    const a = replica();
    const b = replica();
    expect((await a.take([true])).index).toBe(0);
    expect((await b.take([true])).index).toBe(-1);
    // Two lease times later the slot is still A's: it renewed the lease every third of its time.
    await new Promise((resolve) => setTimeout(resolve, 2 * LEASE_MS));
    expect((await b.take([true])).index).toBe(-1);
    // A dies without releasing: its renewals stop, and B gets the slot once the lease ran out.
    a.close();
    await vi.waitFor(async () => expect((await b.take([true])).index).toBe(0), { timeout: 5 * LEASE_MS, interval: 50 });
    b.close();
  });
});

if (!hasRedisServer) {
  describe('in-flight leases in Redis', () => {
    it.skip('skipped: redis-server is not installed (apt-get install -y redis-server; .ci/run installs it)', () => undefined);
  });
}
