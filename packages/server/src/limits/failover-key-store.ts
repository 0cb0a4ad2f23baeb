import type { Redis } from 'ioredis';
import type { KeyStore, Taken } from './key-store.js';
import type { MemoryKeyStore } from './memory-key-store.js';
import type { RedisKeyStore } from './redis-key-store.js';

/**
 * Redis while it answers, this process's memory while it does not: pacing never fails a request because Redis is
 * gone. A command that fails (or a client that is not connected) sends the call to the memory store at once; the
 * client reconnects by itself and its `ready` brings the shared store back. The memory store keeps its own window
 * meanwhile, so each replica alone stays under the limit during an outage.
 */
export class FailoverKeyStore implements KeyStore {
  readonly #redis: RedisKeyStore;
  readonly #memory: MemoryKeyStore;
  readonly #client: Redis;
  readonly #onFailure: (error: unknown) => void;

  constructor(redis: RedisKeyStore, memory: MemoryKeyStore, client: Redis, onFailure: (error: unknown) => void) {
    this.#redis = redis;
    this.#memory = memory;
    this.#client = client;
    this.#onFailure = onFailure;
  }

  take(usable: readonly boolean[]): Taken | Promise<Taken> {
    if (this.#client.status !== 'ready') return this.#offline().take(usable);
    return this.#redis.take(usable).catch((error: unknown) => {
      this.#onFailure(error);
      return this.#memory.take(usable);
    });
  }

  wait(position: number, usable: readonly boolean[]): number | undefined | Promise<number | undefined> {
    if (this.#client.status !== 'ready') return this.#offline().wait(position, usable);
    return this.#redis.wait(position, usable).catch((error: unknown) => {
      this.#onFailure(error);
      return this.#memory.wait(position, usable);
    });
  }

  rest(index: number, ms: number): void | Promise<void> {
    // Both: a rest must hold whichever store the next request finds.
    this.#memory.rest(index, ms);
    if (this.#client.status !== 'ready') return;
    return this.#redis.rest(index, ms).catch((error: unknown) => this.#onFailure(error));
  }

  release(taken: Taken): void {
    (taken.store ?? this.#memory).release(taken);
  }

  /**
   * The memory store, for a call made while the client is not connected. A connection that was lost is an outage
   * to report (a server that closed its connections cleanly raises no client error); one still being made at start
   * is not.
   */
  #offline(): MemoryKeyStore {
    const status = this.#client.status;
    if (status !== 'connecting' && status !== 'wait') this.#onFailure(new Error(`the Redis connection is ${status}`));
    return this.#memory;
  }
}
