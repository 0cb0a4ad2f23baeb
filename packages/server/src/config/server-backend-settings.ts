import { MAX_TIMER_MESSAGE, MAX_TIMER_SECONDS } from '@proxy/core';
import { z } from 'zod';

/** `models_refresh` when unset: a catalog is read again every ten minutes. */
export const DEFAULT_MODELS_REFRESH_S = 600;

/**
 * The keys of `backends.<name>` the server reads itself, for every backend type (built-in or an embedder's), so
 * no type's schema has to list them: they are taken out before the type's schema sees the rest.
 * - `api_key_env`: the name of the environment variable holding the backend's key (a secret kept out of YAML);
 *   its value is handed to the type as `api_key`.
 * - `models_refresh`: seconds between reads of the backend's `GET /models` (0: read at start only; a failed read is
 *   retried with backoff either way).
 */
export const serverBackendSettingsSchema = z.strictObject({
  api_key_env: z
    .string({ error: 'expected the name of an environment variable' })
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected the name of an environment variable (letters, digits, _)')
    .optional(),
  models_refresh: z
    .number({ error: 'expected a number of seconds' })
    .nonnegative('expected a number of seconds (>= 0; 0 reads the catalog at start only)')
    .max(MAX_TIMER_SECONDS, MAX_TIMER_MESSAGE)
    .default(DEFAULT_MODELS_REFRESH_S),
});

export const SERVER_BACKEND_KEYS: readonly string[] = Object.keys(serverBackendSettingsSchema.shape);

/** What the server itself does with a backend, from those keys. */
export interface BackendServing {
  /** Milliseconds between catalog reads; 0 for none after the first success. */
  modelsRefreshMs: number;
  /** `api_key_env`, when the key came from there (for the start-up summary; never the key). */
  apiKeyEnv: string | undefined;
}
