import type { CancelSignal } from '@proxy/core';
import { retryDelayMs, retryReason, type RetryPolicy } from './retry-policy.js';

export interface RetryEvent {
  /** 1 for the first retry. */
  retry: number;
  reason: string;
  delayMs: number;
  error: unknown;
}

export interface WithRetriesOptions {
  policy: RetryPolicy;
  /**
   * When it fires no further attempt starts and a wait in progress ends: the last failure is thrown. The route
   * fires it when the client leaves, and, for streams, when it commits `200` to the client.
   */
  signal?: CancelSignal | undefined;
  /**
   * Checked before every retry: true stops them, like the signal, without the cost of a signal per call (a
   * stream's commit point). A wait in progress is not cut short, so combine it with `deadline`.
   */
  stopped?: (() => boolean) | undefined;
  /** Epoch ms after which no retry may start (a stream's commit point); a retry that would start later is skipped. */
  deadline?: number | undefined;
  onRetry?: ((event: RetryEvent) => void) | undefined;
  /** Injected in tests. */
  now?: () => number;
  random?: () => number;
  sleep?: (ms: number, signal: CancelSignal | undefined) => Promise<void>;
}

/**
 * Calls `attempt` until it succeeds, its failure is not retryable (see retryReason), `policy.maxRetries` retries
 * were spent, the signal fired or the deadline would be passed. Rejects with the last failure.
 *
 * The first attempt's promise is chained, not awaited in an async function: nearly every call succeeds at once,
 * and then no frame waits around it.
 */
export function withRetries<T>(attempt: () => Promise<T>, options: WithRetriesOptions): Promise<T> {
  const first = attemptOnce(attempt);
  return options.policy.maxRetries > 0 ? first.catch((error: unknown) => retryAfter(error, attempt, options)) : first;
}

/** The retries after a first failure. */
async function retryAfter<T>(firstError: unknown, attempt: () => Promise<T>, options: WithRetriesOptions): Promise<T> {
  const { policy, signal } = options;
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? abortableSleep;
  let error = firstError;
  for (let retry = 0; ; retry++) {
    if (retry >= policy.maxRetries || signal?.aborted || options.stopped?.()) throw error;
    const reason = retryReason(error);
    if (reason === undefined) throw error;
    const delayMs = retryDelayMs(policy, retry, error, now(), random);
    if (delayMs === undefined) throw error;
    if (options.deadline !== undefined && now() + delayMs >= options.deadline) throw error;
    options.onRetry?.({ retry: retry + 1, reason, delayMs, error });
    await sleep(delayMs, signal);
    if (signal?.aborted || options.stopped?.()) throw error;
    try {
      return await attemptOnce(attempt);
    } catch (next) {
      error = next;
    }
  }
}

/** A synchronous throw becomes a rejection, as it would inside an async function. */
function attemptOnce<T>(attempt: () => Promise<T>): Promise<T> {
  try {
    return attempt();
  } catch (error) {
    return Promise.reject(error);
  }
}

/** Resolves after `ms`, or as soon as `signal` fires; never leaves a timer or listener behind. */
export function abortableSleep(ms: number, signal: CancelSignal | undefined): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done);
  });
}
