import { parseRetryAfter, ProxyError } from '@proxy/core';

/** How failed upstream calls are retried (`failure_handling.max_retries`, `retry_base_delay`, `retry_max_delay`). */
export interface RetryPolicy {
  /** Retries after the first attempt; 0 disables retrying. */
  maxRetries: number;
  /** The first backoff step. */
  baseDelayMs: number;
  /** Cap on every wait, backoff and `Retry-After` alike. */
  maxDelayMs: number;
}

/**
 * Transport failures that happen before the upstream answered: the request never reached a model, so sending it
 * again cannot run it twice. `upstream_timeout` (no headers within the proxy's own timeout) is deliberately not
 * here: the upstream may still be working on the request, and a retry would double the work and the bill.
 */
const RETRIED_TRANSPORT_CODES = new Set(['upstream_unreachable', 'upstream_connect_timeout', 'upstream_connection_error']);

/**
 * An error the upstream reported as its stream's first event (core marks the ones the client did not cause
 * retryable): the model stopped before it produced anything, so another try cannot duplicate an answer.
 */
const RETRIED_STREAM_CODES = new Set(['upstream_stream_error']);

/** Upstream answers worth another try: rate limited, or a gateway in front of the model failed. */
const RETRIED_STATUSES = new Set([429, 502, 503, 504]);

/**
 * Why `error` may be retried (the metric's `reason` label: `http_429`, `http_503`, `upstream_unreachable`…), or
 * undefined when it must not be: 4xx other than 429, the proxy's own timeouts, a client abort, a failure after the
 * upstream's headers (core marks those not retryable), anything that is not a ProxyError.
 */
export function retryReason(error: unknown): string | undefined {
  if (!ProxyError.isInstance(error) || !error.isRetryable) return undefined;
  if (error.upstreamStatus !== undefined) return RETRIED_STATUSES.has(error.upstreamStatus) ? `http_${error.upstreamStatus}` : undefined;
  if (error.code === null) return undefined;
  return RETRIED_TRANSPORT_CODES.has(error.code) || RETRIED_STREAM_CODES.has(error.code) ? error.code : undefined;
}

/**
 * The upstream's `Retry-After` in milliseconds (delta-seconds or an HTTP date; a date in the past is 0), or
 * undefined when absent or unreadable: read as the key pool reads it when it rests a key.
 */
export function retryAfterMs(error: unknown, now: number): number | undefined {
  return ProxyError.isInstance(error) ? parseRetryAfter(error.headers['retry-after'], now) : undefined;
}

/**
 * The wait before retry number `retry` (0-based): the upstream's `Retry-After` when it sent one, else exponential
 * backoff with full jitter (`random() * min(max, base * 2^retry)`, so clients that failed together do not come
 * back together). Undefined when the upstream asks for longer than the cap: waiting less would only earn another
 * 429, so the client gets the error, with its `retry-after`, at once.
 */
export function retryDelayMs(policy: RetryPolicy, retry: number, error: unknown, now: number, random: () => number): number | undefined {
  const asked = retryAfterMs(error, now);
  if (asked !== undefined) return asked <= policy.maxDelayMs ? asked : undefined;
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return Math.floor(random() * ceiling);
}
