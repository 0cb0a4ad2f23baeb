import { createHash, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { KeyStore, StoreLimits, Taken } from './key-store.js';
import { RENEW_SCRIPT, REST_SCRIPT, TAKE_SCRIPT } from './redis-scripts.js';

/**
 * An in-flight lease lives this long unless its replica renews it: a replica renews its leases every third of it
 * while they are held, so the lease of one that died (or lost its release to an outage) frees its slot within
 * this time, not at the end of the longest stream NIM allows.
 */
export const DEFAULT_LEASE_TTL_MS = 90_000;

interface PacingCommands {
  nimProxyTake(numKeys: number, ...args: (string | number)[]): Promise<[number, number]>;
  nimProxyRest(key: string, ms: number): Promise<number>;
  nimProxyRenew(numKeys: number, ...args: (string | number)[]): Promise<number>;
}

/** Defines the scripts once per client (ioredis sends them by SHA and loads them when Redis lost them). */
export function definePacingCommands(client: Redis): Redis & PacingCommands {
  const commands = client as Redis & Partial<PacingCommands>;
  if (typeof commands.nimProxyTake !== 'function') {
    client.defineCommand('nimProxyTake', { lua: TAKE_SCRIPT });
    client.defineCommand('nimProxyRest', { numberOfKeys: 1, lua: REST_SCRIPT });
    client.defineCommand('nimProxyRenew', { lua: RENEW_SCRIPT });
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
  readonly #leaseTtlMs: number;
  /** This replica's leases still held (concurrency cap only): token → its in-flight key, renewed while held. */
  readonly #held = new Map<string, string>();
  #renewal: NodeJS.Timeout | undefined;
  #sequence = 0;
  #cursor = 0;

  constructor(client: Redis, keys: readonly string[], limits: StoreLimits, options: { prefix?: string; leaseTtlMs?: number } = {}) {
    const prefix = options.prefix ?? '{nim-proxy:pace}';
    this.#client = definePacingCommands(client);
    this.#limits = limits;
    this.#leaseTtlMs = options.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS;
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
    if (this.#limits.maxConcurrent > 0) this.#hold(token, this.#keys[index * 3 + 2]!);
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
    this.#held.delete(taken.token);
    if (this.#held.size === 0) this.#stopRenewal();
    // Best effort: a lease Redis did not hear about ends by itself within the lease's time, no longer renewed.
    this.#client.zrem(this.#keys[taken.index * 3 + 2]!, taken.token).catch(() => undefined);
  }

  /** Stops renewing (the server closes): what this replica still holds frees within the lease's time. */
  close(): void {
    this.#held.clear();
    this.#stopRenewal();
  }

  #hold(token: string, inFlightKey: string): void {
    this.#held.set(token, inFlightKey);
    if (this.#renewal) return;
    this.#renewal = setInterval(() => this.#renew(), Math.max(1, Math.floor(this.#leaseTtlMs / 3)));
    this.#renewal.unref();
  }

  #renew(): void {
    const entries = [...this.#held];
    if (entries.length === 0) return;
    // Best effort as well: a renewal lost to an outage leaves the lease its remaining time.
    this.#client.nimProxyRenew(entries.length, ...entries.map(([, key]) => key), this.#leaseTtlMs, ...entries.map(([token]) => token)).catch(() => undefined);
  }

  #stopRenewal(): void {
    clearInterval(this.#renewal);
    this.#renewal = undefined;
  }

  #run(mode: 'take' | 'wait', position: number, usable: readonly boolean[], member: string): Promise<[number, number]> {
    const { requestsPerMinute, windowMs, maxConcurrent } = this.#limits;
    const mask = usable.map((ok) => (ok ? '1' : '0')).join('');
    return this.#client.nimProxyTake(this.#keys.length, ...this.#keys, mode, requestsPerMinute, windowMs, maxConcurrent, this.#leaseTtlMs, member, position, mask, this.#cursor);
  }
}
