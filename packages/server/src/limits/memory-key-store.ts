import { NOT_TAKEN, type KeyStore, type StoreLimits, type Taken } from './key-store.js';
import { RollingWindow } from './rolling-window.js';

/**
 * A pool's state in this process: a rolling window, a rest deadline and an in-flight count per key. Synchronous,
 * so a request that finds a slot free takes it without a promise. The clock is injected for tests.
 */
export class MemoryKeyStore implements KeyStore {
  readonly #limits: StoreLimits;
  readonly #now: () => number;
  readonly #windows: RollingWindow[];
  readonly #restUntil: number[];
  readonly #inFlight: number[];
  /** One frozen answer per key: taking a slot allocates nothing. */
  readonly #taken: Taken[];
  /** Where the search for the key with most room starts: equal keys are used in turn. */
  #cursor = 0;

  constructor(limits: StoreLimits, now: () => number = Date.now) {
    this.#limits = limits;
    this.#now = now;
    this.#windows = Array.from({ length: limits.size }, () => new RollingWindow(limits.requestsPerMinute, limits.windowMs));
    this.#restUntil = Array.from({ length: limits.size }, () => 0);
    this.#inFlight = Array.from({ length: limits.size }, () => 0);
    this.#taken = Array.from({ length: limits.size }, (_, index) => Object.freeze({ index, store: this }));
  }

  take(usable: readonly boolean[]): Taken {
    const now = this.#now();
    const size = this.#limits.size;
    let best = -1;
    let bestRoom = 0;
    let bestFlight = 0;
    for (let k = 0; k < size; k++) {
      const i = (this.#cursor + k) % size;
      if (!usable[i]) continue;
      const room = this.#room(i, now);
      if (room <= 0) continue;
      const flight = this.#inFlight[i]!;
      if (best < 0 || room > bestRoom || (room === bestRoom && flight < bestFlight)) {
        best = i;
        bestRoom = room;
        bestFlight = flight;
      }
    }
    if (best < 0) return NOT_TAKEN;
    if (this.#limits.requestsPerMinute > 0) this.#windows[best]!.add(now);
    this.#inFlight[best]!++;
    this.#cursor = (best + 1) % size;
    return this.#taken[best]!;
  }

  wait(position: number, usable: readonly boolean[]): number | undefined {
    const now = this.#now();
    const { size, requestsPerMinute: limit, maxConcurrent, windowMs } = this.#limits;
    const frees: number[] = [];
    for (let i = 0; i < size; i++) {
      if (!usable[i]) continue;
      if (maxConcurrent > 0 && this.#inFlight[i]! >= maxConcurrent) continue; // frees when a request ends
      const from = Math.max(now, this.#restUntil[i]!);
      if (limit === 0) {
        frees.push(from);
        continue;
      }
      const window = this.#windows[i]!;
      const count = window.count(now);
      for (let n = 0; n < Math.min(limit - count, position + 1); n++) frees.push(from);
      for (let n = 0; n < Math.min(count, position + 1); n++) frees.push(Math.max(from, window.freesAt(n)));
    }
    return waitFor(frees, position, now, limit === 0 ? 0 : windowMs);
  }

  /** `usable` less the keys this store would give no slot now (resting, window full, at the cap). */
  free(usable: readonly boolean[]): boolean[] {
    const now = this.#now();
    return usable.map((ok, index) => ok && this.#room(index, now) > 0);
  }

  /**
   * Counts a slot another store (Redis) gave this replica on key `index`, in the window and in flight, without
   * deciding anything: should this store have to pace alone, it starts from what this replica sent, not from an
   * empty window. A window already full (its clock runs a round trip behind Redis's) is left as it is.
   */
  record(index: number): void {
    if (this.#limits.requestsPerMinute > 0) {
      const now = this.#now();
      const window = this.#windows[index]!;
      if (window.room(now) > 0) window.add(now);
    }
    this.#inFlight[index]!++;
  }

  rest(index: number, ms: number): void {
    this.#restUntil[index] = Math.max(this.#restUntil[index]!, this.#now() + ms);
  }

  release(taken: Taken): void {
    if (taken.index >= 0 && this.#inFlight[taken.index]! > 0) this.#inFlight[taken.index]!--;
  }

  /** Slots key `i` can give at `now`: 0 while it rests or is at the cap. */
  #room(i: number, now: number): number {
    const { requestsPerMinute: limit, maxConcurrent } = this.#limits;
    if (this.#restUntil[i]! > now) return 0;
    if (maxConcurrent > 0 && this.#inFlight[i]! >= maxConcurrent) return 0;
    return limit > 0 ? this.#windows[i]!.room(now) : Number.MAX_SAFE_INTEGER;
  }
}

/**
 * The wait for slot `position` given when each known slot frees: the position-th earliest; past the slots known,
 * each frees again one window after it was taken. Undefined when no slot is known (all held by in-flight requests).
 */
export function waitFor(frees: number[], position: number, now: number, windowMs: number): number | undefined {
  if (frees.length === 0) return undefined;
  frees.sort((a, b) => a - b);
  const at = frees[position % frees.length]! + windowMs * Math.floor(position / frees.length);
  return Math.max(0, at - now);
}
