import { UnpacedKeyLimiter, type CreateKeyLimiter, type KeyLimiter, type KeyLimiterRequest } from '@proxy/core';
import type { FastifyBaseLogger } from 'fastify';
import type * as IORedis from 'ioredis';
import { loadOnFirstUse } from '../load-on-first-use.js';
import type { ProxyMetrics } from '../metrics/proxy-metrics.js';
import { FailoverKeyStore, type FailoverEvents } from './failover-key-store.js';
import type { KeyStore, StoreLimits } from './key-store.js';
import { limiterObserver } from './limiter-observer.js';
import { MemoryKeyStore } from './memory-key-store.js';
import { PacedKeyLimiter } from './paced-key-limiter.js';
import { RedisConnection } from './redis-connection.js';
import { RedisKeyStore } from './redis-key-store.js';

const CONNECT_TIMEOUT_MS = 2000;

const ioredis = loadOnFirstUse<typeof IORedis>('ioredis');

/**
 * NIM counts requests per key in any 60 s, by when they reach it; the proxy counts them when it sends them. A slot
 * counts a second longer than NIM's window, so that a request that reached NIM late (the network, undici's queue)
 * does not put the one sent a window after it inside NIM's 60 s: a 429 there rests the key for a minute.
 */
export const WINDOW_MS = 61_000;

export interface KeyLimitersOptions {
  /** `redis_url`: the pools' state is shared through it; without it, each process paces alone. */
  redisUrl?: string | undefined;
  /** Read when something is worth logging (the server's logger exists only once the app does). */
  log: () => FastifyBaseLogger;
  metrics?: ProxyMetrics | undefined;
  /** The window's length: 60 s; tests shorten it. */
  windowMs?: number | undefined;
}

/**
 * The server's limiter factory (BackendContext.createKeyLimiter): a paced limiter per backend that needs one, on
 * Redis when `redis_url` is set, in memory otherwise; one Redis client for all of them, closed with the server.
 */
export class KeyLimiters {
  readonly #options: KeyLimitersOptions;
  readonly #windowMs: number;
  #client: IORedis.Redis | undefined;
  /** The client's one `ready` listener for every pool's store. */
  #connection: RedisConnection | undefined;
  /** The pools' Redis stores, which renew their leases until the server closes. */
  readonly #redisStores: RedisKeyStore[] = [];
  /** Redis failed and has not been ready since: logged once per outage. */
  #down = false;

  constructor(options: KeyLimitersOptions) {
    this.#options = options;
    this.#windowMs = options.windowMs ?? WINDOW_MS;
  }

  readonly create: CreateKeyLimiter = (request: KeyLimiterRequest): KeyLimiter => {
    const { keys, rateLimit, backend } = request;
    // One key, no pace, no cap: nothing to choose or count; the connector's path stays as it was.
    if (keys.length === 1 && rateLimit.requestsPerMinute === 0 && rateLimit.maxConcurrent === 0) return new UnpacedKeyLimiter(1);
    const limits: StoreLimits = {
      size: keys.length,
      requestsPerMinute: rateLimit.requestsPerMinute,
      maxConcurrent: rateLimit.maxConcurrent,
      windowMs: this.#windowMs,
    };
    const memory = new MemoryKeyStore(limits);
    let store: KeyStore = memory;
    if (this.#options.redisUrl) {
      const { client, connection } = this.#redis(this.#options.redisUrl);
      const redisStore = new RedisKeyStore(client, keys, limits);
      this.#redisStores.push(redisStore);
      store = new FailoverKeyStore(redisStore, memory, connection, this.#redisEvents);
    }
    return new PacedKeyLimiter({ backend, size: keys.length, rateLimit, store, observer: limiterObserver(backend, this.#options) });
  };

  /**
   * Resolves once Redis is connected, or has failed, or after the connect timeout: the server waits for it when it
   * gets ready, so the first requests are paced together; it never fails start-up (memory paces meanwhile).
   */
  async ready(): Promise<void> {
    const client = this.#client;
    if (!client || client.status === 'ready') return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        client.off('ready', done);
        client.off('error', done);
        resolve();
      };
      const timer = setTimeout(done, CONNECT_TIMEOUT_MS);
      client.once('ready', done);
      client.once('error', done);
    });
  }

  /** Closes the Redis client, if one was opened. */
  async close(): Promise<void> {
    for (const store of this.#redisStores.splice(0)) store.close();
    this.#connection?.close();
    this.#connection = undefined;
    const client = this.#client;
    this.#client = undefined;
    if (client) await client.quit().catch(() => client.disconnect());
  }

  #redis(url: string): { client: IORedis.Redis; connection: RedisConnection } {
    if (this.#client && this.#connection) return { client: this.#client, connection: this.#connection };
    const client = new (ioredis().Redis)(url, {
      // Fail fast instead of queueing while disconnected: the memory store answers meanwhile.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: 1000,
      connectTimeout: CONNECT_TIMEOUT_MS,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    });
    client.on('error', (error: unknown) => this.#failed(error));
    client.on('ready', () => this.#recovered());
    this.#client = client;
    this.#connection = new RedisConnection(client);
    return { client, connection: this.#connection };
  }

  readonly #redisEvents: FailoverEvents = { failed: (error) => this.#failed(error), recovered: () => this.#recovered() };

  #recovered(): void {
    if (!this.#down) return;
    this.#down = false;
    this.#options.log().info('redis reachable again: request pacing is shared across replicas');
  }

  #failed(error: unknown): void {
    if (this.#down) return;
    this.#down = true;
    // The reason only: a Redis URL can carry a password, and the client's messages name host and port at most.
    const reason = error instanceof Error ? error.message : String(error);
    this.#options.log().warn({ reason }, 'redis unavailable: pacing requests in memory on this replica until it is back');
  }
}
