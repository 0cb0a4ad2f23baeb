import { createHash, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { KeyStore, StoreLimits, Taken } from './key-store.js';
import { REST_SCRIPT, TAKE_SCRIPT } from './redis-scripts.js';

/** An in-flight lease of a replica that died is forgotten after this long (the longest stream NIM allows, roughly). */
const LEASE_TTL_MS = 30 * 60_000;

interface PacingCommands {
  nimProxyTake(numKeys: number, ...args: (string | number)[]): Promise<[number, number]>;
  nimProxyRest(key: string, ms: number): Promise<number>;
}

/** Defines the scripts once per client (ioredis sends them by SHA and loads them when Redis lost them). */
export function definePacingCommands(client: Redis): Redis & PacingCommands {
  const commands = client as Redis & Partial<PacingCommands>;
  if (typeof commands.nimProxyTake !== 'function') {
    client.defineCommand('nimProxyTake', { lua: TAKE_SCRIPT });
    client.defineCommand('nimProxyRest', { numberOfKeys: 1, lua: REST_SCRIPT });
  }
  return client as Redis & PacingCommands;
}

/**
 * A pool's window, rests and in-flight leases in Redis, shared by every replica that paces the same keys. Keys are
 * named by a SHA-256 of the upstream key (never the key itself), so replicas with the same key meet in the same
 * sorted sets whatever they call their backend.
 */
export class RedisKeyStore implements KeyStore {
  readonly #client: Redis & PacingCommands;
  readonly #limits: StoreLimits;
  /** Three Redis keys per pool key: window, rest, in flight. */
  readonly #keys: string[];
  readonly #replica = randomUUID();
  #sequence = 0;
  #cursor = 0;

  constructor(client: Redis, keys: readonly string[], limits: StoreLimits, prefix = '{nim-proxy:pace}') {
    this.#client = definePacingCommands(client);
    this.#limits = limits;
    this.#keys = keys.flatMap((key) => {
      const hash = createHash('sha256').update(key).digest('hex');
      return [`${prefix}:${hash}:w`, `${prefix}:${hash}:r`, `${prefix}:${hash}:f`];
    });
  }

  async take(usable: readonly boolean[]): Promise<Taken> {
    const token = `${this.#replica}:${this.#sequence++}`;
    const [index] = await this.#run('take', 0, usable, token);
    if (index < 0) return { index: -1 };
    this.#cursor = (index + 1) % this.#limits.size;
    return { index, token, store: this };
  }

  async wait(position: number, usable: readonly boolean[]): Promise<number | undefined> {
    const [, waitMs] = await this.#run('wait', position, usable, '');
    return waitMs < 0 ? undefined : waitMs;
  }

  async rest(index: number, ms: number): Promise<void> {
    await this.#client.nimProxyRest(this.#keys[index * 3 + 1]!, Math.ceil(ms));
  }

  release(taken: Taken): void {
    if (this.#limits.maxConcurrent === 0 || taken.token === undefined) return;
    // Best effort: a lease Redis did not hear about ends by itself after LEASE_TTL_MS.
    this.#client.zrem(this.#keys[taken.index * 3 + 2]!, taken.token).catch(() => undefined);
  }

  #run(mode: 'take' | 'wait', position: number, usable: readonly boolean[], member: string): Promise<[number, number]> {
    const { requestsPerMinute, windowMs, maxConcurrent } = this.#limits;
    const mask = usable.map((ok) => (ok ? '1' : '0')).join('');
    return this.#client.nimProxyTake(this.#keys.length, ...this.#keys, mode, requestsPerMinute, windowMs, maxConcurrent, LEASE_TTL_MS, member, position, mask, this.#cursor);
  }
}
