import { z } from 'zod';
import type { RateLimit } from './limits/key-limiter.js';

/**
 * The longest time a setting may give, in seconds: Node's timers hold at most 2^31 − 1 ms (about 24.8 days), and a
 * longer one fires after 1 ms instead (a TimeoutOverflowWarning) — a `timeout` of 30 days would fail every call.
 */
export const MAX_TIMER_SECONDS = 2_147_483;
/** The refusal of a time past MAX_TIMER_SECONDS. */
export const MAX_TIMER_MESSAGE = `expected at most ${MAX_TIMER_SECONDS} seconds (about 24 days, the longest timer Node keeps)`;

const seconds = z.number({ error: 'expected a number of seconds' }).positive('expected a number of seconds (> 0)').max(MAX_TIMER_SECONDS, MAX_TIMER_MESSAGE);

/**
 * The keys every backend type shares, as written in `backends.<name>`. Strict, so a typo (`api_kye`, `timout`)
 * is an error instead of a setting silently ignored; a type adds its own keys with `.extend({...})`, and one that
 * wants to take keys it does not list says so with `.loose()`.
 */
export const backendSettingsSchema = z.strictObject({
  /** Picks the definition; it defaults to the backend's name, so it is optional here. */
  type: z.string({ error: 'expected a non-empty backend type' }).min(1, 'expected a non-empty backend type').optional(),
  api_url: z.url({ error: 'expected an http(s) URL', protocol: /^https?$/ }).optional(),
  api_key: z.string({ error: 'expected a string' }).optional(),
  /** A pool of keys, used in turn by room (see RateLimit); `api_key` joins it when both are set. */
  api_keys: z.array(z.string({ error: 'expected a key (a string)' }), { error: 'expected a list of keys' }).optional(),
  rate_limit: z
    .strictObject(
      {
        requests_per_minute: z
          .number({ error: 'expected a number of requests' })
          .int('expected a whole number of requests')
          .nonnegative('expected a number of requests (>= 0; 0 turns pacing off)')
          .optional(),
        max_wait: z
          .number({ error: 'expected a number of seconds' })
          .nonnegative('expected a number of seconds (>= 0)')
          .max(MAX_TIMER_SECONDS, MAX_TIMER_MESSAGE)
          .optional(),
        max_concurrent: z
          .number({ error: 'expected a number of requests' })
          .int('expected a whole number of requests')
          .nonnegative('expected a number of requests (>= 0; 0 means no cap)')
          .optional(),
      },
      { error: 'expected a mapping (requests_per_minute, max_wait, max_concurrent)' },
    )
    .optional(),
  timeout: seconds.optional(),
  connect_timeout: seconds.optional(),
  models: z
    .array(z.string({ error: 'expected a model id (a string)' }).min(1, 'expected non-empty model ids'), {
      error: 'expected a list of model ids',
    })
    .optional(),
  health_check: z.boolean({ error: 'expected true or false' }).optional(),
});

/** The common keys once validated. */
export type BackendSettings = z.output<typeof backendSettingsSchema>;

/** `max_wait` when unset: a request may wait one window for a slot (see docs/rate-limits.md). */
export const DEFAULT_MAX_WAIT_MS = 60_000;

/**
 * `rate_limit` as configured → the limiter's units, with the backend type's default rate (`requests_per_minute`
 * when unset: 40 for hosted NVIDIA, 0 otherwise).
 */
export function toRateLimit(settings: BackendSettings['rate_limit'], defaultRequestsPerMinute = 0): RateLimit {
  return {
    requestsPerMinute: settings?.requests_per_minute ?? defaultRequestsPerMinute,
    maxWaitMs: secondsToMs(settings?.max_wait) ?? DEFAULT_MAX_WAIT_MS,
    maxConcurrent: settings?.max_concurrent ?? 0,
  };
}

/** Seconds as configured → milliseconds as undici takes them; unset stays unset, so the connector's default applies. */
export function secondsToMs(value: number | undefined): number | undefined {
  return value === undefined ? undefined : value * 1000;
}
