import { backendSettingsSchema, secondsToMs, toRateLimit, type BackendDefinition } from '@proxy/core';
import { z } from 'zod';
import { NVIDIA_DEFAULT_BASE_URL, NVIDIA_HOSTED_REQUESTS_PER_MINUTE } from './constants.js';
import { NvidiaConnector, resolveNvidiaKeys } from './nvidia-connector.js';

/**
 * The common keys of `backends.<name>`, and `default_max_tokens`: the `max_tokens` sent when a request names no
 * limit (default NVIDIA_DEFAULT_MAX_TOKENS; 0 sends none, leaving NIM's own default).
 */
export const nvidiaSettingsSchema = backendSettingsSchema.extend({
  default_max_tokens: z
    .number({ error: 'expected a number of tokens' })
    .int('expected a whole number of tokens')
    .nonnegative("expected a number of tokens (>= 0; 0 leaves NIM's own default)")
    .optional(),
});

export type NvidiaSettings = z.output<typeof nvidiaSettingsSchema>;

/**
 * Backend type `nvidia`. Takes the common keys of `backends.<name>` — `api_url`, `api_key`, `api_keys`,
 * `rate_limit`, `timeout` and `connect_timeout` (seconds), `models`, `health_check` — and `default_max_tokens`;
 * none is required, since the hosted integrator is the default URL and `NVIDIA_API_KEY`/`NVIDIA_API_KEYS` (from the
 * context's environment) the keys when none is configured. The hosted integrator is paced at 40 requests a minute
 * per key unless configured.
 */
export const nvidiaBackend: BackendDefinition<NvidiaSettings> = {
  type: 'nvidia',
  settings: nvidiaSettingsSchema,
  create(config, context) {
    const keys = resolveNvidiaKeys({ apiKey: config.api_key, apiKeys: config.api_keys, env: context.env });
    // The hosted free tier's pace unless configured; a self-hosted NIM's limits are its operator's to set.
    const hosted = !config.api_url || new URL(config.api_url).origin === new URL(NVIDIA_DEFAULT_BASE_URL).origin;
    const rateLimit = toRateLimit(config.rate_limit, hosted ? NVIDIA_HOSTED_REQUESTS_PER_MINUTE : 0);
    return new NvidiaConnector({
      name: config.name,
      baseURL: config.api_url || undefined,
      apiKeys: keys,
      keyLimiter: keys.length > 0 ? context.createKeyLimiter?.({ backend: config.name, keys, rateLimit }) : undefined,
      env: context.env,
      models: config.models,
      timeoutMs: secondsToMs(config.timeout),
      connectTimeoutMs: secondsToMs(config.connect_timeout),
      healthCheck: config.health_check,
      dispatcher: context.dispatcher,
      bodyLimitBytes: context.upstreamBodyLimit,
      defaultMaxTokens: config.default_max_tokens,
    });
  },
};
