import { z } from 'zod';
import { backendSettingsSchema, secondsToMs, toRateLimit } from '../backend-settings.js';
import type { BackendDefinition } from '../connector.js';
import { outboundProxyFromEnv } from '../http/outbound-proxy.js';
import { OpenAICompatibleConnector } from './openai-compatible-connector.js';

/** The common keys, with `api_url` required: a generic OpenAI-compatible upstream has no default URL. */
export const openaiBackendSettingsSchema = backendSettingsSchema.extend({
  api_url: z.url({
    protocol: /^https?$/,
    error: (issue) =>
      issue.input === undefined ? "required for a backend of type 'openai' (the upstream's OpenAI-compatible base URL)" : 'expected an http(s) URL',
  }),
});

export type OpenAIBackendSettings = z.output<typeof openaiBackendSettingsSchema>;

/** Backend type `openai`: any OpenAI-compatible URL, with a key or (a local Ollama or vLLM) without; nothing provider-specific. */
export const openaiBackend: BackendDefinition<OpenAIBackendSettings> = {
  type: 'openai',
  settings: openaiBackendSettingsSchema,
  create(config, context) {
    const timeoutMs = secondsToMs(config.timeout);
    const apiKeys = [config.api_key, ...(config.api_keys ?? [])].map((key) => key?.trim()).filter((key): key is string => !!key);
    const keys = [...new Set(apiKeys)];
    return new OpenAICompatibleConnector({
      name: config.name,
      type: 'openai',
      baseURL: config.api_url,
      apiKeys: keys,
      // Off unless configured: a generic upstream's limits are not known.
      keyLimiter: keys.length > 0 ? context.createKeyLimiter?.({ backend: config.name, keys, rateLimit: toRateLimit(config.rate_limit) }) : undefined,
      models: config.models,
      dispatcher: context.dispatcher,
      proxy: outboundProxyFromEnv(context.env),
      bodyLimitBytes: context.upstreamBodyLimit,
      headersTimeoutMs: timeoutMs,
      bodyTimeoutMs: timeoutMs,
      connectTimeoutMs: secondsToMs(config.connect_timeout),
      healthCheckOnFirstUse: config.health_check,
      // A generic upstream may take no key at all (Ollama, a local vLLM): without one, it is called without one.
      requireApiKey: false,
    });
  },
};
