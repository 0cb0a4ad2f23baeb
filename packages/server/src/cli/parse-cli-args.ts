import { parseArgs } from 'node:util';
import { toList, toNumber } from '../config/coerce-scalar.js';
import { setPath } from '../config/env-config.js';
import { toAliasTable, toJson } from '../models/parse-model-config.js';

/** What the command line asks for: an action, and the configuration layer its flags set. */
export interface CliArgs {
  help: boolean;
  version: boolean;
  configPath: string | undefined;
  layer: Record<string, unknown>;
}

const options = {
  config: { type: 'string', short: 'c' },
  host: { type: 'string' },
  port: { type: 'string', short: 'p' },
  'default-backend': { type: 'string' },
  'force-model': { type: 'string' },
  'model-aliases': { type: 'string' },
  'model-settings': { type: 'string' },
  'keepalive-interval': { type: 'string' },
  'keepalive-format': { type: 'string' },
  'max-retries': { type: 'string' },
  'upstream-body-limit': { type: 'string' },
  'body-timeout': { type: 'string' },
  'max-connections': { type: 'string' },
  'disable-auth': { type: 'boolean' },
  'log-level': { type: 'string' },
  'cors-origins': { type: 'string' },
  'redis-url': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

/** Flag → configuration path and how its text is read. Flags not listed here are actions. */
const FLAG_PATHS: Record<string, { path: string; parse?: (text: string) => unknown }> = {
  host: { path: 'host' },
  port: { path: 'port', parse: toNumber },
  'default-backend': { path: 'default_backend' },
  'force-model': { path: 'force_model' },
  'model-aliases': { path: 'model_aliases', parse: toAliasTable },
  'model-settings': { path: 'model_settings', parse: toJson },
  'keepalive-interval': { path: 'failure_handling.keepalive_interval', parse: toNumber },
  'keepalive-format': { path: 'failure_handling.keepalive_format' },
  'max-retries': { path: 'failure_handling.max_retries', parse: toNumber },
  'upstream-body-limit': { path: 'upstream_body_limit', parse: toNumber },
  'body-timeout': { path: 'body_timeout', parse: toNumber },
  'max-connections': { path: 'max_connections', parse: toNumber },
  'disable-auth': { path: 'auth.disabled' },
  'log-level': { path: 'logging.level', parse: (text) => text.toLowerCase() },
  'cors-origins': { path: 'cors.origins', parse: toList },
  'redis-url': { path: 'redis_url', parse: (text) => text.trim() },
};

/** Parses argv (without `node` and the script). Unknown flags and stray arguments throw a TypeError. */
export function parseCliArgs(argv: readonly string[]): CliArgs {
  const { values } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false });
  const layer: Record<string, unknown> = {};
  for (const [flag, target] of Object.entries(FLAG_PATHS)) {
    const value = values[flag as keyof typeof values];
    if (value === undefined) continue;
    setPath(layer, target.path, typeof value === 'string' && target.parse ? target.parse(value) : value);
  }
  return { help: values.help ?? false, version: values.version ?? false, configPath: values.config, layer };
}
