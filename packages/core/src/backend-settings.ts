import { z } from 'zod';

const seconds = z.number({ error: 'expected a number of seconds' }).positive('expected a number of seconds (> 0)');

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

/** Seconds as configured → milliseconds as undici takes them; unset stays unset, so the connector's default applies. */
export function secondsToMs(value: number | undefined): number | undefined {
  return value === undefined ? undefined : value * 1000;
}
