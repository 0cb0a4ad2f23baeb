import { toAliasTable, toJson } from '../models/parse-model-config.js';
import { toBoolean, toList, toNumber } from './coerce-scalar.js';
import { toProxyKeyList } from './parse-proxy-keys.js';

type Env = Readonly<Record<string, string | undefined>>;

interface EnvBinding {
  env: string;
  /** Dotted configuration path. */
  path: string;
  parse: (text: string) => unknown;
}

const text = (value: string): string => value.trim();

/** Every environment variable the server reads, and the key it sets. docs/configuration.md lists the same. */
export const ENV_BINDINGS: readonly EnvBinding[] = [
  { env: 'PROXY_HOST', path: 'host', parse: text },
  { env: 'PROXY_PORT', path: 'port', parse: toNumber },
  { env: 'PROXY_API_KEYS', path: 'auth.api_keys', parse: toProxyKeyList },
  { env: 'PROXY_DISABLE_AUTH', path: 'auth.disabled', parse: toBoolean },
  { env: 'DEFAULT_BACKEND', path: 'default_backend', parse: text },
  { env: 'FORCE_MODEL', path: 'force_model', parse: text },
  { env: 'MODEL_ALIASES', path: 'model_aliases', parse: toAliasTable },
  { env: 'MODEL_SETTINGS', path: 'model_settings', parse: toJson },
  { env: 'FAILURE_HANDLING_KEEPALIVE_INTERVAL', path: 'failure_handling.keepalive_interval', parse: toNumber },
  { env: 'FAILURE_HANDLING_KEEPALIVE_FORMAT', path: 'failure_handling.keepalive_format', parse: text },
  { env: 'FAILURE_HANDLING_MAX_RETRIES', path: 'failure_handling.max_retries', parse: toNumber },
  { env: 'FAILURE_HANDLING_RETRY_BASE_DELAY', path: 'failure_handling.retry_base_delay', parse: toNumber },
  { env: 'FAILURE_HANDLING_RETRY_MAX_DELAY', path: 'failure_handling.retry_max_delay', parse: toNumber },
  { env: 'PROXY_BODY_LIMIT', path: 'body_limit', parse: toNumber },
  { env: 'PROXY_UPSTREAM_BODY_LIMIT', path: 'upstream_body_limit', parse: toNumber },
  { env: 'PROXY_BODY_TIMEOUT', path: 'body_timeout', parse: toNumber },
  { env: 'PROXY_MAX_CONNECTIONS', path: 'max_connections', parse: toNumber },
  { env: 'LOG_LEVEL', path: 'logging.level', parse: (value) => value.trim().toLowerCase() },
  { env: 'PROXY_METRICS_ENABLED', path: 'metrics.enabled', parse: toBoolean },
  { env: 'PROXY_METRICS_REQUIRE_AUTH', path: 'metrics.require_auth', parse: toBoolean },
  { env: 'PROXY_CORS_ORIGINS', path: 'cors.origins', parse: toList },
  { env: 'PROXY_SHUTDOWN_GRACE_PERIOD', path: 'shutdown_grace_period', parse: toNumber },
  { env: 'PROXY_REDIS_URL', path: 'redis_url', parse: text },
];

/** The configuration layer the environment sets. Empty variables count as unset. */
export function readEnvConfig(env: Env): Record<string, unknown> {
  const layer: Record<string, unknown> = {};
  for (const binding of ENV_BINDINGS) {
    const value = env[binding.env];
    if (value === undefined || value.trim() === '') continue;
    setPath(layer, binding.path, binding.parse(value));
  }
  return layer;
}

/** Sets `a.b.c` in a plain object, creating the objects on the way. */
export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (typeof next === 'object' && next !== null) node = next as Record<string, unknown>;
    else node = node[key] = {};
  }
  node[keys.at(-1)!] = value;
}
