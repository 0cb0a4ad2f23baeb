/**
 * Where a pool's window, rests and in-flight counts live: in this process, or in Redis for every replica. Each
 * call answers for the whole pool at once, so a shared store decides atomically. `usable[i]` is false for a key the
 * upstream refused (taken out in this process only).
 */
export interface KeyStore {
  /** Takes a slot on the usable key with the most room: its index, or -1 when none has a slot now. */
  take(usable: readonly boolean[]): Taken | Promise<Taken>;
  /**
   * Milliseconds until the slot `position` places from now frees (0: the next one), or undefined when only an
   * in-flight request ending can free it (the concurrency cap), which no clock tells.
   */
  wait(position: number, usable: readonly boolean[]): number | undefined | Promise<number | undefined>;
  /** No slot is taken on the key for `ms` (a longer rest already set stays). */
  rest(index: number, ms: number): void | Promise<void>;
  /** Gives back the in-flight slot `taken` holds. */
  release(taken: Taken): void;
}

/** A slot taken (index ≥ 0), or none (index -1); `token` names it for release in a shared store. */
export interface Taken {
  readonly index: number;
  readonly token?: string | undefined;
  /** The store that took it: a fallback store releases on the right one. */
  readonly store?: KeyStore | undefined;
}

export const NOT_TAKEN: Taken = Object.freeze({ index: -1 });

/** A pool's limits as the stores apply them. */
export interface StoreLimits {
  size: number;
  requestsPerMinute: number;
  maxConcurrent: number;
  /** 60 s; shorter in tests. */
  windowMs: number;
}
