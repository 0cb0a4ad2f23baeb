import { ClientAbortError, ProxyError, type CancelSignal, type KeyLease, type KeyLimiter, type KeyUseReport, type RateLimit } from '@proxy/core';
import type { KeyStore, Taken } from './key-store.js';

/** How long a key rests after a 429 that named no time: NIM's window. */
export const DEFAULT_REST_MS = 60_000;

/** How often the head of the queue looks again when no clock tells when a slot frees (a shared store, a cap). */
const POLL_MS = 100;

/** What a limiter reports: the metrics and the log, by key index (never the key). */
export interface LimiterObserver {
  leased(index: number, queuedMs: number): void;
  queueDepth(depth: number): void;
  rested(index: number, ms: number): void;
  refused(): void;
  removed(index: number, status: number, kept: boolean): void;
}

export interface PacedKeyLimiterOptions {
  backend: string;
  size: number;
  rateLimit: RateLimit;
  store: KeyStore;
  observer?: LimiterObserver | undefined;
  now?: () => number;
}

interface Waiter {
  enqueuedAt: number;
  deadline: number;
  resolve: (lease: KeyLease) => void;
  reject: (error: Error) => void;
  signal: CancelSignal | undefined;
  /** Keys not to give it (refused for its model); read when its turn comes, so a key removed meanwhile is not. */
  avoid: ReadonlySet<number> | undefined;
  /** Told how long the request waited when it gets no slot (a lease carries its own wait). */
  report: Pick<KeyUseReport, 'queuedMs'> | undefined;
  onAbort: (() => void) | undefined;
  done: boolean;
}

/**
 * A key pool's pacing: every attempt takes a slot on the key with the most room; when none is free it waits in a
 * FIFO queue, or is refused at once with 429 when the store says the slot it would get frees later than `max_wait`.
 * A request that finds a slot free gets its lease synchronously (no promise, no timer): the unthrottled path costs
 * one store lookup.
 */
export class PacedKeyLimiter implements KeyLimiter {
  readonly size: number;
  readonly #backend: string;
  readonly #rateLimit: RateLimit;
  readonly #store: KeyStore;
  readonly #observer: LimiterObserver | undefined;
  readonly #now: () => number;
  readonly #usable: boolean[];
  readonly #queue: Waiter[] = [];
  #timer: NodeJS.Timeout | undefined;
  /** When the pending timer fires: a later request never pushes back the look the head of the queue is due. */
  #timerAt = 0;
  /** Requests between admission and their place in the queue (the store's answer is awaited): they count as queued. */
  #admitting = 0;
  #pumping = false;

  constructor(options: PacedKeyLimiterOptions) {
    this.size = options.size;
    this.#backend = options.backend;
    this.#rateLimit = options.rateLimit;
    this.#store = options.store;
    this.#observer = options.observer;
    this.#now = options.now ?? Date.now;
    this.#usable = Array.from({ length: options.size }, () => true);
  }

  /** Requests waiting for a slot. */
  get queued(): number {
    return this.#queue.length;
  }

  acquire(
    signal: CancelSignal | undefined,
    retried: boolean,
    avoid?: ReadonlySet<number>,
    report?: Pick<KeyUseReport, 'queuedMs'>,
  ): KeyLease | Promise<KeyLease> {
    if (this.#admitting > 0) return this.#admit(signal, retried, avoid, report);
    // Behind the queue, unless it may use keys no queued request may: those a request kept from some keys (refused
    // for its model) cannot take, and it must not hold up the requests that can.
    const mask = this.#queue.length === 0 ? this.#usableFor(avoid) : this.#notWaitedFor(this.#usableFor(avoid));
    if (mask === undefined) return this.#admit(signal, retried, avoid, report);
    const taken = this.#store.take(mask);
    if ('then' in taken) return taken.then((slot) => (slot.index >= 0 ? this.#lease(slot, 0) : this.#admit(signal, retried, avoid, report)));
    return taken.index >= 0 ? this.#lease(taken, 0) : this.#admit(signal, retried, avoid, report);
  }

  rest(index: number, ms: number | undefined): void {
    // A pool of one is never rested longer than the upstream asked: without a time its 429s go to the retries.
    const restMs = ms ?? (this.#usableCount() > 1 ? DEFAULT_REST_MS : 0);
    if (restMs <= 0) return;
    this.#observer?.rested(index, restMs);
    void Promise.resolve(this.#store.rest(index, restMs)).catch(() => undefined);
  }

  remove(index: number, status: number): boolean {
    // Taken out already (requests in flight on it answered alike): said once.
    if (!this.#usable[index]) return this.hasOtherKey(index);
    const kept = !this.hasOtherKey(index);
    this.#observer?.removed(index, status, kept);
    if (kept) return false;
    this.#usable[index] = false;
    return true;
  }

  hasOtherKey(index: number, avoid?: ReadonlySet<number>): boolean {
    return this.#usable.some((usable, other) => usable && other !== index && !avoid?.has(other));
  }

  /** `own` less the keys queued requests may use (they are served first), or undefined when nothing is left of it. */
  #notWaitedFor(own: readonly boolean[]): readonly boolean[] | undefined {
    const mask = [...own];
    for (const waiter of this.#queue) {
      if (waiter.done) continue;
      const theirs = this.#usableFor(waiter.avoid);
      for (let key = 0; key < mask.length; key++) if (theirs[key]) mask[key] = false;
    }
    return mask.includes(true) ? mask : undefined;
  }

  /** Queued requests that may use one of the keys in `own`: the ones ahead of a new request. */
  #competing(own: readonly boolean[]): number {
    let ahead = 0;
    for (const waiter of this.#queue) {
      if (waiter.done) continue;
      const theirs = this.#usableFor(waiter.avoid);
      if (theirs.some((usable, key) => usable && own[key])) ahead++;
    }
    return ahead;
  }

  /** The usable keys less `avoid`, unless that leaves none: then the usable keys, whose refusal the client hears. */
  #usableFor(avoid: ReadonlySet<number> | undefined): readonly boolean[] {
    if (avoid === undefined || avoid.size === 0) return this.#usable;
    const mask = this.#usable.map((usable, index) => usable && !avoid.has(index));
    return mask.includes(true) ? mask : this.#usable;
  }

  #usableCount(): number {
    return this.#usable.reduce((count, usable) => count + (usable ? 1 : 0), 0);
  }

  #lease(taken: Taken, queuedMs: number): KeyLease {
    this.#observer?.leased(taken.index, queuedMs);
    return new Lease(taken, queuedMs, this.#store, this.#onRelease);
  }

  readonly #onRelease = (): void => {
    if (this.#queue.length > 0) this.#schedule(0);
  };

  /** Queues the request behind the ones waiting, unless its slot frees too late: then a 429 at once. */
  async #admit(
    signal: CancelSignal | undefined,
    retried: boolean,
    avoid: ReadonlySet<number> | undefined,
    report: Pick<KeyUseReport, 'queuedMs'> | undefined,
  ): Promise<KeyLease> {
    if (signal?.aborted) throw new ClientAbortError();
    // Its place is taken now, not after the store answers: requests admitted together are told their own slots.
    // Only the queued requests that may use one of its keys are ahead of it.
    const position = (avoid === undefined ? this.#queue.length : this.#competing(this.#usableFor(avoid))) + this.#admitting;
    this.#admitting++;
    let waitMs: number | undefined;
    try {
      waitMs = await this.#store.wait(position, this.#usableFor(avoid));
    } finally {
      this.#admitting--;
    }
    // A shared store answers a round trip later: a client that left meanwhile fired its signal before the queue
    // listened (a listener added after an abort never runs), and would keep a place and spend a slot for nothing.
    if (signal?.aborted) throw new ClientAbortError();
    // max_wait bounds the request, not each attempt: what its earlier attempts (another key, the server's retries)
    // waited is spent, so a client sized for max_wait is not kept waiting several times over.
    const maxWaitMs = Math.max(0, this.#rateLimit.maxWaitMs - (report?.queuedMs ?? 0));
    // A slot only a release can free (the cap: no clock says when) is waited for, within max_wait; with none left
    // there is no wait to allow, so the request is refused now instead of after the queue's next look.
    if (waitMs === undefined ? maxWaitMs === 0 : waitMs > maxWaitMs) {
      this.#observer?.refused();
      throw this.#refusal(waitMs ?? POLL_MS, retried);
    }
    const now = this.#now();
    return new Promise<KeyLease>((resolve, reject) => {
      const waiter: Waiter = { enqueuedAt: now, deadline: now + maxWaitMs, resolve, reject, signal, avoid, report, onAbort: undefined, done: false };
      if (signal) {
        waiter.onAbort = () => {
          this.#settle(waiter);
          this.#waited(waiter);
          reject(new ClientAbortError());
        };
        signal.addEventListener('abort', waiter.onAbort);
      }
      this.#queue.push(waiter);
      this.#observer?.queueDepth(this.#queue.length);
      this.#schedule(waitMs ?? POLL_MS);
    });
  }

  /** Looks at the queue in `ms`, unless a look is due sooner already: the head's time is never pushed back. */
  #schedule(ms: number): void {
    if (this.#pumping) return;
    const delay = Math.max(1, Math.ceil(ms));
    const at = this.#now() + delay;
    if (this.#timer !== undefined && this.#timerAt <= at) return;
    clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(() => void this.#pump(), delay);
    this.#timer.unref?.();
  }

  /**
   * Serves the queue in order: each request takes the next slot among its keys, and one that finds none waits with
   * those keys held for it — no request behind it takes them. A request kept from some keys (refused for its
   * model) so holds back only the requests that could use its keys; the ones that may use others go on.
   */
  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    this.#timer = undefined;
    let next: number | undefined;
    try {
      let held: boolean[] | undefined;
      for (let i = 0; i < this.#queue.length; ) {
        const waiter = this.#queue[i]!;
        if (waiter.done) {
          this.#queue.splice(i, 1);
          continue;
        }
        const own = this.#usableFor(waiter.avoid);
        const mask = held === undefined ? own : own.map((usable, key) => usable && !held![key]);
        if (!mask.includes(true)) {
          i++;
          continue;
        }
        const taken = await this.#store.take(mask);
        if (waiter.done) {
          if (taken.index >= 0) this.#store.release(taken);
          continue;
        }
        const now = this.#now();
        if (taken.index >= 0) {
          this.#settle(waiter);
          waiter.resolve(this.#lease(taken, now - waiter.enqueuedAt));
          continue;
        }
        const waitMs = await this.#store.wait(0, own);
        if (waiter.done) continue;
        if (this.#now() + (waitMs ?? 0) > waiter.deadline) {
          // It waited already: its client is told not to retry on top of the proxy's wait.
          this.#settle(waiter);
          this.#waited(waiter);
          this.#observer?.refused();
          waiter.reject(this.#refusal(waitMs ?? POLL_MS, true));
          continue;
        }
        const due = Math.min(waitMs ?? POLL_MS, waiter.deadline - now);
        next = next === undefined ? due : Math.min(next, due);
        held = held === undefined ? [...own] : held.map((key, index) => key || own[index]!);
        if (this.#usable.every((usable, key) => !usable || held![key])) break;
        i++;
      }
    } catch {
      next = POLL_MS; // a store that failed mid-pump (Redis going away): look again soon, on the fallback
    } finally {
      this.#pumping = false;
    }
    if (next !== undefined && this.#queue.length > 0) this.#schedule(next);
  }

  /** Takes a waiter out of the queue, once. */
  #settle(waiter: Waiter): void {
    if (waiter.done) return;
    waiter.done = true;
    if (waiter.onAbort) waiter.signal?.removeEventListener('abort', waiter.onAbort);
    const at = this.#queue.indexOf(waiter);
    if (at >= 0) this.#queue.splice(at, 1);
    this.#observer?.queueDepth(this.#queue.length);
  }

  /** A waiter that leaves without a slot: its request's log line still shows how long it queued. */
  #waited(waiter: Waiter): void {
    if (waiter.report) waiter.report.queuedMs = (waiter.report.queuedMs ?? 0) + (this.#now() - waiter.enqueuedAt);
  }

  #refusal(waitMs: number, retried: boolean): ProxyError {
    const seconds = Math.max(1, Math.ceil(waitMs / 1000));
    const { requestsPerMinute, maxConcurrent } = this.#rateLimit;
    const limits = [
      ...(requestsPerMinute > 0 ? [`${requestsPerMinute} a minute`] : []),
      ...(maxConcurrent > 0 ? [`${maxConcurrent} at a time`] : []),
    ].join(', ');
    return new ProxyError({
      status: 429,
      code: 'rate_limited',
      isRetryable: false,
      message:
        `The ${this.#backend} backend is at its request limit (${limits} per key): ` +
        `the next free slot is ${seconds} s away, longer than the proxy may wait (max_wait). Try again in ${seconds} s.`,
      headers: retried ? { 'retry-after': String(seconds), 'x-should-retry': 'false' } : { 'retry-after': String(seconds) },
    });
  }
}

/** One attempt's slot; `release` is bound, so the connector can hand it to the response as a callback. */
class Lease implements KeyLease {
  readonly index: number;
  readonly queuedMs: number;
  #taken: Taken | undefined;
  readonly #store: KeyStore;
  readonly #onRelease: () => void;

  constructor(taken: Taken, queuedMs: number, store: KeyStore, onRelease: () => void) {
    this.index = taken.index;
    this.queuedMs = queuedMs;
    this.#taken = taken;
    this.#store = store;
    this.#onRelease = onRelease;
  }

  readonly release = (): void => {
    const taken = this.#taken;
    if (taken === undefined) return;
    this.#taken = undefined;
    // Through the limiter's store, which knows which store took the slot (a failover store counts Redis's slots
    // in memory too, and gives both back).
    this.#store.release(taken);
    this.#onRelease();
  };
}
