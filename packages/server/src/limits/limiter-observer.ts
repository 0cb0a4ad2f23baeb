import type { FastifyBaseLogger } from 'fastify';
import type { ProxyMetrics } from '../metrics/proxy-metrics.js';
import type { LimiterObserver } from './paced-key-limiter.js';

/**
 * A backend's limiter → metrics (children bound per key once, so a request costs a counter increment) and the
 * error log of a key taken out, which names the key's index, never the key. A refused key that stays in use, being
 * the last, is said once: in a pool of one, every request would otherwise add an error line to its own.
 */
export function limiterObserver(backend: string, options: { log: () => FastifyBaseLogger; metrics?: ProxyMetrics | undefined }): LimiterObserver {
  const metrics = options.metrics;
  const requests = new Map<number, () => void>();
  const wait = metrics?.queueWait.labels(backend);
  const depth = metrics?.queueDepth.labels(backend);
  /** Keys refused while the last usable one: said once each, since every later request on them is refused alike. */
  const keptSaid = new Set<number>();
  return {
    leased(index, queuedMs) {
      if (!metrics) return;
      let count = requests.get(index);
      if (!count) requests.set(index, (count = metrics.keyRequestCounter(backend, index)));
      count();
      wait!.observe(queuedMs / 1000);
    },
    queueDepth(value) {
      depth?.set(value);
    },
    rested(index, ms) {
      metrics?.keyRests.inc({ backend, key_index: String(index) });
      options.log().warn({ backend, key_index: index, rest_ms: ms }, 'upstream key throttled (429): resting it');
    },
    refused() {
      metrics?.rateLimitRefusals.inc({ backend });
    },
    removed(index, status, kept) {
      if (kept) {
        if (keptSaid.has(index)) return;
        keptSaid.add(index);
        options.log().error(
          { backend, key_index: index, status },
          'upstream refused the last usable key of the pool; it stays in use (said once: later refusals show in their request lines)',
        );
        return;
      }
      options.log().error({ backend, key_index: index, status }, 'upstream refused a key: taken out of the pool until restart');
    },
  };
}
