import { formatIssuePath, type BackendConfig, type BackendDefinition } from '@proxy/core';
import type { z } from 'zod';
import { nearestKey } from './nearest-key.js';
import type { ConfiguredBackend } from './resolve-config.js';
import { settingsKeysAt } from './settings-keys.js';

export type ParsedBackendSettings<Settings extends object> =
  | { ok: true; config: BackendConfig<Settings> }
  | { ok: false; problems: string[] };

/**
 * Runs a backend's settings through its type's schema. The server owns `name` (the mapping's key) and `type`
 * (already read to pick the definition), so the schema gets the other keys only, and a definition that lists
 * neither still validates. Problems read `backends.<name>.<key path>: reason`, like every configuration error.
 */
export function parseBackendSettings<Settings extends object>(
  backend: ConfiguredBackend,
  definition: BackendDefinition<Settings>,
): ParsedBackendSettings<Settings> {
  const { name, type, ...settings } = backend;
  const result = definition.settings.safeParse(settings);
  if (result.success) return { ok: true, config: { ...result.data, name, type } };
  return { ok: false, problems: result.error.issues.flatMap((issue) => describeIssue(issue, backend, definition.settings)) };
}

function describeIssue(issue: z.core.$ZodIssue, backend: ConfiguredBackend, schema: z.core.$ZodType): string[] {
  const path = [`backends.${backend.name}`, formatIssuePath(issue.path)].filter(Boolean).join('.');
  if (issue.code !== 'unrecognized_keys') return [`${path}: ${issue.message}`];
  // `type` is always a backend's key, whether its schema lists it or not (the server reads it).
  const keys = settingsKeysAt(schema, issue.path);
  const known = issue.path.length === 0 && !keys.includes('type') ? ['type', ...keys] : keys;
  return issue.keys.map((key) => {
    const suggestion = nearestKey(key, known);
    const hint = suggestion ? `; did you mean '${suggestion}'?` : known.length > 0 ? ` (expected one of ${known.join(', ')})` : '';
    return `${path}.${key}: unknown setting${hint}`;
  });
}
