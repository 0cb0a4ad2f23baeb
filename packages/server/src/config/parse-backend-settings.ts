import { formatIssuePath, type BackendConfig, type BackendDefinition } from '@proxy/core';
import type { z } from 'zod';
import { nearestKey } from './nearest-key.js';
import type { ConfiguredBackend } from './resolve-config.js';
import { SERVER_BACKEND_KEYS, serverBackendSettingsSchema, type BackendServing } from './server-backend-settings.js';
import { settingsKeysAt } from './settings-keys.js';

export type ParsedBackendSettings<Settings extends object> =
  | { ok: true; config: BackendConfig<Settings>; serving: BackendServing }
  | { ok: false; problems: string[] };

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Runs a backend's settings through its type's schema. The server owns `name` (the mapping's key), `type`
 * (already read to pick the definition) and the keys of serverBackendSettingsSchema, so the schema gets the other
 * keys only (with `api_key` read from `api_key_env` when that is set), and a definition that lists none of them
 * still validates. Problems read `backends.<name>.<key path>: reason`, like every configuration error.
 */
export function parseBackendSettings<Settings extends object>(
  backend: ConfiguredBackend,
  definition: BackendDefinition<Settings>,
  env: Env = {},
): ParsedBackendSettings<Settings> {
  const { name, type, ...rest } = backend;
  const owned: Record<string, unknown> = {};
  const settings: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(rest)) (SERVER_BACKEND_KEYS.includes(key) ? owned : settings)[key] = value;

  const problems: string[] = [];
  const server = serverBackendSettingsSchema.safeParse(owned);
  if (!server.success) problems.push(...server.error.issues.map((issue) => `backends.${name}.${formatIssuePath(issue.path)}: ${issue.message}`));
  // Read on its own, so that a problem with another key still lets this one be checked (every problem at once).
  const apiKeyEnv = serverBackendSettingsSchema.shape.api_key_env.safeParse(owned.api_key_env).data;
  if (apiKeyEnv !== undefined) {
    const key = env[apiKeyEnv]?.trim();
    if (settings.api_key !== undefined) problems.push(`backends.${name}.api_key_env: set either api_key or api_key_env, not both`);
    else if (!key) problems.push(`backends.${name}.api_key_env: the environment variable ${apiKeyEnv} is not set (or empty)`);
    else settings.api_key = key;
  }

  const result = definition.settings.safeParse(settings);
  if (!result.success) problems.push(...result.error.issues.flatMap((issue) => describeIssue(issue, backend, definition.settings)));
  if (problems.length > 0 || !result.success || !server.success) return { ok: false, problems };
  return {
    ok: true,
    config: { ...result.data, name, type },
    serving: { modelsRefreshMs: server.data.models_refresh * 1000, apiKeyEnv },
  };
}

function describeIssue(issue: z.core.$ZodIssue, backend: ConfiguredBackend, schema: z.core.$ZodType): string[] {
  const path = [`backends.${backend.name}`, formatIssuePath(issue.path)].filter(Boolean).join('.');
  if (issue.code !== 'unrecognized_keys') return [`${path}: ${issue.message}`];
  // `type` and the server's own keys are always a backend's keys, whether its schema lists them or not.
  const keys = settingsKeysAt(schema, issue.path);
  const known = issue.path.length === 0 ? [...new Set(['type', ...keys, ...SERVER_BACKEND_KEYS])] : keys;
  return issue.keys.map((key) => {
    const suggestion = nearestKey(key, known);
    const hint = suggestion ? `; did you mean '${suggestion}'?` : known.length > 0 ? ` (expected one of ${known.join(', ')})` : '';
    return `${path}.${key}: unknown setting${hint}`;
  });
}
