import { NOT_TAKEN, type KeyStore, type Taken } from './key-store.js';
import type { MemoryKeyStore } from './memory-key-store.js';
import type { RedisConnection } from './redis-connection.js';
import type { RedisKeyStore } from './redis-key-store.js';

/** After a Redis command failed, how long calls go to memory before Redis is tried again. */
export const REDIS_RETRY_AFTER_MS = 5000;

/** What the store tells its owner: an outage (logged once) and the first answer after one. */
export interface FailoverEvents {
  failed(error: unknown): void;
  recovered(): void;
}

/**
 * Redis while it answers, this process's memory while it does not: pacing never fails a request because Redis is
 * gone. A command that fails (or a client that is not connected) sends the call to the memory store at once, and
 * the next calls too for REDIS_RETRY_AFTER_MS: a Redis that hangs rather than refuses would otherwise cost every
 * request the client's command timeout. The client reconnects by itself; the first command answered after an
 * outage reports the recovery (a hang ends without a reconnect, so the client's `ready` alone cannot tell). The
 * memory store also counts every slot Redis gave this replica, so when Redis goes away each replica goes on from
 * its own last window, not from an empty one, and alone stays under the limit during an outage.
 */
export class FailoverKeyStore implements KeyStore {
  readonly #redis: RedisKeyStore;
  readonly #memory: MemoryKeyStore;
  readonly #connection: Pick<RedisConnection, 'status' | 'onReady'>;
  readonly #events: FailoverEvents;
  readonly #now: () => number;
  /** Until when calls skip Redis after a failure. */
  #skipUntil = 0;

  /** `connection`: the Redis client every backend's store shares, through its one `ready` listener. */
  constructor(redis: RedisKeyStore, memory: MemoryKeyStore, connection: Pick<RedisConnection, 'status' | 'onReady'>, events: FailoverEvents, now: () => number = Date.now) {
    this.#redis = redis;
    this.#memory = memory;
    this.#connection = connection;
    this.#events = events;
    this.#now = now;
    // A connection made again is a fresh start: the pause after a failed command ends with it.
    connection.onReady(() => {
      this.#skipUntil = 0;
    });
  }

  take(usable: readonly boolean[]): Taken | Promise<Taken> {
    if (!this.#redisUsable()) return this.#offline().take(usable);
    // Only the keys memory has room on too: what this replica sent in memory during an outage Redis never heard
    // of, and it still counts at NIM. Otherwise memory knows less than Redis (this replica's part) and takes
    // nothing away.
    const free = this.#memory.free(usable);
    if (!free.includes(true)) return NOT_TAKEN;
    return this.#redis.take(free).then(
      (taken) => {
        // Counted in memory too: a Redis that goes away leaves memory knowing this replica's last window.
        if (taken.index >= 0) this.#memory.record(taken.index);
        return this.#answered(taken);
      },
      (error: unknown) => {
        this.#fail(error);
        return this.#memory.take(usable);
      },
    );
  }

  wait(position: number, usable: readonly boolean[]): number | undefined | Promise<number | undefined> {
    if (!this.#redisUsable()) return this.#offline().wait(position, usable);
    // As take: the later of Redis's answer for the keys memory has room on and memory's own, so a queue kept
    // waiting by memory (after an outage) is told when memory frees, rather than looking again every millisecond.
    const inMemory = this.#memory.wait(position, usable);
    const free = this.#memory.free(usable);
    if (!free.includes(true)) return inMemory;
    return this.#redis.wait(position, free).then(
      (waitMs) => this.#answered(waitMs === undefined || inMemory === undefined ? undefined : Math.max(waitMs, inMemory)),
      (error: unknown) => {
        this.#fail(error);
        return this.#memory.wait(position, usable);
      },
    );
  }

  rest(index: number, ms: number): void | Promise<void> {
    // Both: a rest must hold whichever store the next request finds.
    this.#memory.rest(index, ms);
    if (!this.#redisUsable()) return;
    return this.#redis.rest(index, ms).catch((error: unknown) => this.#fail(error));
  }

  release(taken: Taken): void {
    (taken.store ?? this.#memory).release(taken);
    // A slot Redis gave was recorded in memory as well (see take): its in-flight count there ends with it.
    if (taken.store !== undefined && taken.store !== this.#memory) this.#memory.release(taken);
  }

  #redisUsable(): boolean {
    return this.#connection.status === 'ready' && this.#now() >= this.#skipUntil;
  }

  #fail(error: unknown): void {
    this.#skipUntil = this.#now() + REDIS_RETRY_AFTER_MS;
    this.#events.failed(error);
  }

  #answered<T>(value: T): T {
    this.#events.recovered();
    return value;
  }

  /**
   * The memory store, for a call made while Redis is not used. A connection that was lost is an outage to report
   * (a server that closed its connections cleanly raises no client error); one still being made at start is not,
   * nor the pause after a failed command.
   */
  #offline(): MemoryKeyStore {
    const status = this.#connection.status;
    if (status !== 'ready' && status !== 'connecting' && status !== 'wait') this.#events.failed(new Error(`the Redis connection is ${status}`));
    return this.#memory;
  }
}
