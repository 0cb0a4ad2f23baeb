import { backendSettingsSchema, secondsToMs, type BackendDefinition, type BackendSettings } from '@proxy/core';
import { NvidiaConnector } from './nvidia-connector.js';

/**
 * Backend type `nvidia`. Takes exactly the common keys of `backends.<name>`: `api_url`, `api_key`, `timeout` and
 * `connect_timeout` (seconds), `models`, `health_check`; none is required, since the hosted integrator is the
 * default URL and `NVIDIA_API_KEY` (from the context's environment) the key when `api_key` is unset or empty.
 */
export const nvidiaBackend: BackendDefinition<BackendSettings> = {
  type: 'nvidia',
  settings: backendSettingsSchema,
  create(config, context) {
    return new NvidiaConnector({
      name: config.name,
      baseURL: config.api_url || undefined,
      apiKey: config.api_key,
      env: context.env,
      models: config.models,
      timeoutMs: secondsToMs(config.timeout),
      connectTimeoutMs: secondsToMs(config.connect_timeout),
      healthCheck: config.health_check,
      dispatcher: context.dispatcher,
    });
  },
};
