import type { CancelSignal } from '../cancellation.js';
import type { KeyUseReport } from '../connector.js';

/**
 * A backend's pacing as configured (`backends.<name>.rate_limit`), in the units the limiter works in. Zero turns a
 * bound off.
 */
export interface RateLimit {
  /** Requests per key in any rolling window (60 s in production); 0: no pacing. */
  requestsPerMinute: number;
  /** How long a request may wait for a slot before it is refused with 429. */
  maxWaitMs: number;
  /** In-flight requests per key; 0: no cap. */
  maxConcurrent: number;
}

/** One upstream attempt's hold on a key: its index in the pool, how long it queued, and the in-flight slot it holds. */
export interface KeyLease {
  /** The key's position in the backend's pool (0-based): the only way logs and metrics name a key. */
  readonly index: number;
  /** Milliseconds the attempt waited for its slot (0 when one was free). */
  readonly queuedMs: number;
  /** Gives the in-flight slot back; safe to call more than once. */
  release(): void;
}

/**
 * Chooses the key of each upstream attempt and keeps the upstream's limits: which key has the most room, how long
 * a request waits for one, which keys rest after a 429 and which were taken out after a 401/403. The server
 * provides the implementations (in memory, or shared through Redis): core only states what a connector needs, so it
 * depends on no store.
 */
export interface KeyLimiter {
  /** Keys in the pool, removed ones included (indices never shift). */
  readonly size: number;
  /**
   * A slot on the key with the most room. Returned at once (no promise) when one is free; otherwise a promise that
   * waits its turn in a FIFO queue, or rejects at once with a 429 ProxyError when the next slot frees later than
   * the wait allowed. `retried`: the request was already answered 429 by the upstream (or waited) once, so a
   * refusal tells the client not to retry on top. `avoid`: keys not to give this request (the upstream refused them
   * for its model), unless no other usable key is left — then the request goes to the usable keys as usual, and its
   * client hears the upstream's own refusal. `report`: a request that queued and got no slot (refused after its
   * wait, or its client left) adds the time it waited to its `queuedMs`, so its log line shows the wait it had (a
   * lease carries its own wait, which the caller adds).
   */
  acquire(signal: CancelSignal | undefined, retried: boolean, avoid?: ReadonlySet<number>, report?: Pick<KeyUseReport, 'queuedMs'>): KeyLease | Promise<KeyLease>;
  /**
   * The upstream answered 429 on this key: no request goes to it for `ms` (its `Retry-After`), or, when the
   * upstream named no time, for the limiter's default rest (60 s) — except in a pool of one, which is never rested
   * longer than the upstream asked.
   */
  rest(index: number, ms: number | undefined): void;
  /**
   * The key is bad (the upstream answered 403, or 401 for more than one model: see KeyRefusals): it takes no more
   * requests until restart. Returns whether another key is left to move the request to (the last key is kept:
   * without another, the client gets the upstream's answer).
   */
  remove(index: number, status: number): boolean;
  /** Whether a key other than `index`, and not in `avoid`, can still take requests (not removed; it may be resting). */
  hasOtherKey(index: number, avoid?: ReadonlySet<number>): boolean;
}

/** What the server hands a backend factory to build its limiter with (see BackendContext.createKeyLimiter). */
export interface KeyLimiterRequest {
  /** The backend's name: the label of its metrics and log lines. */
  backend: string;
  /** The pool, in order. The limiter may hash them (Redis stores keys by hash); it never logs them. */
  keys: readonly string[];
  rateLimit: RateLimit;
}

export type CreateKeyLimiter = (request: KeyLimiterRequest) => KeyLimiter;
