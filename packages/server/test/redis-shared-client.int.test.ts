import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { useFakeUpstream } from './support/fake-upstream.js';
import { authHeaders, createTestProxy, type TestProxy } from './support/proxy.js';
import { hasRedisServer, startRedis, type RedisProcess } from './support/redis-server.js';

let proxy: TestProxy | undefined;
const upstream = useFakeUpstream(() => proxy);

const BACKENDS = 12;

// Every backend paced through Redis shares the server's one Redis client. Each backend's store used to add its own
// 'ready' listener to it, and from the tenth backend on Node printed a MaxListenersExceededWarning.
describe.skipIf(!hasRedisServer)('one Redis client for every paced backend', () => {
  let redis: RedisProcess;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it(`paces ${BACKENDS} backends through Redis without a MaxListenersExceededWarning`, async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    const inspect = new Redis(redis.url, { maxRetriesPerRequest: 0 });
    try {
      const backends = Object.fromEntries(
        Array.from({ length: BACKENDS }, (_, i) => [
          `b${i}`,
          { type: 'openai', api_url: upstream().baseUrl, api_key: `nvapi-backend-${i}-key-0123456789`, models: ['meta/llama3-70b'], rate_limit: { requests_per_minute: 100 } },
        ]),
      );
      const running = createTestProxy(upstream().baseUrl, { backends, redis_url: redis.url });
      proxy = running;
      await running.app.ready(); // waits for the Redis connection, or at most its connect timeout

      // Each backend's key gets its window in Redis: every store paced through the shared client. (Asked again
      // should the connection have outlasted the start's wait, when the first requests were paced in memory.)
      await vi.waitFor(
        async () => {
          for (let i = 0; i < BACKENDS; i++) {
            const answer = await running.app.inject({
              method: 'POST',
              url: '/v1/chat/completions',
              headers: authHeaders,
              payload: { model: `b${i}:meta/llama3-70b`, messages: [{ role: 'user', content: 'hi' }] },
            });
            expect(answer.statusCode).toBe(200);
          }
          expect(await inspect.keys('{nim-proxy:pace}:*:w')).toHaveLength(BACKENDS);
        },
        { timeout: 15_000, interval: 100 },
      );
      expect(running.logs.text).not.toContain('redis unavailable');

      await running.close();
      // Node emits the warning on the tick after the listener that passed the limit was added.
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.filter((warning) => warning.name === 'MaxListenersExceededWarning')).toEqual([]);
    } finally {
      process.off('warning', onWarning);
      await inspect.quit();
    }
  });
});

if (!hasRedisServer) {
  describe('one Redis client for every paced backend', () => {
    it.skip('skipped: redis-server is not installed (apt-get install -y redis-server; .ci/run installs it)', () => undefined);
  });
}
