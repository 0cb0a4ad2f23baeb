import { ProxyError, type BackendConfig, type BackendDefinition } from '@proxy/core';
import { NvidiaConnector } from './nvidia-connector.js';

/**
 * Backend type `nvidia`. Reads `backends.<name>`: `api_url`, `api_key`, `timeout` and `connect_timeout` (seconds),
 * `models`, `health_check`; `NVIDIA_API_KEY` comes from the context's environment.
 */
export const nvidiaBackend: BackendDefinition = {
  type: 'nvidia',
  create(config, context) {
    return new NvidiaConnector({
      name: config.name,
      baseURL: optional(config, 'api_url', 'a URL string', isString) || undefined,
      apiKey: optional(config, 'api_key', 'a string', isString),
      env: context.env,
      models: optional(config, 'models', 'a list of model ids', isModelList),
      timeoutMs: seconds(config, 'timeout'),
      connectTimeoutMs: seconds(config, 'connect_timeout'),
      healthCheck: optional(config, 'health_check', 'true or false', isBoolean),
      dispatcher: context.dispatcher,
    });
  },
};

function seconds(config: BackendConfig, key: string): number | undefined {
  const value = optional(config, key, 'a positive number of seconds', isPositiveNumber);
  return value === undefined ? undefined : value * 1000;
}

function optional<T>(config: BackendConfig, key: string, expected: string, is: (value: unknown) => value is T): T | undefined {
  const value = config[key];
  if (value === undefined || value === null) return undefined;
  if (is(value)) return value;
  throw new ProxyError({
    status: 500,
    code: 'invalid_backend_config',
    isRetryable: false,
    message: `backends.${config.name}.${key} must be ${expected}, got ${JSON.stringify(value)}`,
  });
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}

function isBoolean(value: unknown): value is boolean {
  return typeof value === 'boolean';
}

function isPositiveNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0;
}

function isModelList(value: unknown): value is readonly string[] {
  return Array.isArray(value) && value.every((model) => typeof model === 'string' && model.trim().length > 0);
}
