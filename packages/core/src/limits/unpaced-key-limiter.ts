import type { KeyLease, KeyLimiter } from './key-limiter.js';

const noop = (): void => undefined;

/**
 * The key choice of a connector built without a limiter (core used on its own, or a server pacing nothing): keys
 * in turn, a refused key skipped, nothing rested or queued. One frozen lease per key, so a call allocates nothing.
 */
export class UnpacedKeyLimiter implements KeyLimiter {
  readonly size: number;
  readonly #leases: readonly KeyLease[];
  readonly #removed: boolean[];
  #next = 0;

  constructor(size: number) {
    this.size = size;
    this.#leases = Array.from({ length: size }, (_, index) => Object.freeze({ index, queuedMs: 0, release: noop }));
    this.#removed = Array.from({ length: size }, () => false);
  }

  acquire(_signal?: unknown, _retried?: boolean, avoid?: ReadonlySet<number>): KeyLease {
    // Keys refused for the request's model are passed over while another usable key is left.
    const skip = avoid !== undefined && this.#removed.some((removed, index) => !removed && !avoid.has(index)) ? avoid : undefined;
    for (let tried = 0; tried < this.size; tried++) {
      const index = this.#next;
      this.#next = (index + 1) % this.size;
      if (!this.#removed[index] && !skip?.has(index)) return this.#leases[index]!;
    }
    return this.#leases[0]!;
  }

  rest(): void {}

  remove(index: number): boolean {
    if (!this.hasOtherKey(index)) return false;
    this.#removed[index] = true;
    return true;
  }

  hasOtherKey(index: number, avoid?: ReadonlySet<number>): boolean {
    return this.#removed.some((removed, other) => other !== index && !removed && !avoid?.has(other));
  }
}
