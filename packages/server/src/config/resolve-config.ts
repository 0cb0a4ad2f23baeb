import { formatIssuePath } from '@proxy/core';
import type { z } from 'zod';
import { ConfigError } from './config-error.js';
import { proxyConfigSchema, type ProxyConfig } from './config-schema.js';
import { nearestKey } from './nearest-key.js';
import { settingsKeysAt } from './settings-keys.js';

/** The backend configured when none is: `NVIDIA_API_KEY=… nim-proxy` must just work. */
export const FALLBACK_BACKEND = 'nvidia';

/**
 * `backends.<name>` as configured, named and typed (the type defaults to the name). Its other keys are checked
 * against its type's settings schema when the server builds the backends, since only the registry of types knows it.
 */
export interface ConfiguredBackend {
  name: string;
  type: string;
  [key: string]: unknown;
}

/** Configuration ready to serve with: every backend named and typed, the default backend decided. */
export interface ResolvedProxyConfig extends Omit<ProxyConfig, 'backends' | 'default_backend'> {
  /** In configuration order. */
  backends: ConfiguredBackend[];
  default_backend: string;
}

/**
 * Validates a merged configuration once and fills in what depends on other keys. Throws a ConfigError listing
 * every problem as `key.path: reason`.
 */
export function resolveConfig(input: unknown): ResolvedProxyConfig {
  const result = proxyConfigSchema.safeParse(input);
  if (!result.success) throw new ConfigError(`Invalid configuration: ${describeIssues(result.error)}`);
  const { backends: settings, default_backend: requestedDefault, ...rest } = result.data;

  const entries = Object.entries(settings);
  if (entries.length === 0) entries.push([FALLBACK_BACKEND, {}]);
  const backends: ConfiguredBackend[] = entries.map(([name, backend]) => ({ ...backend, name, type: backend.type ?? name }));

  const names = backends.map((backend) => backend.name);
  const invalidName = names.find((name) => name.includes(':'));
  if (invalidName !== undefined) {
    throw new ConfigError(`Invalid configuration: backends.${invalidName}: a backend name cannot contain ':' (it separates backend and model)`);
  }
  if (requestedDefault !== undefined && !names.includes(requestedDefault)) {
    throw new ConfigError(
      `Invalid configuration: default_backend: '${requestedDefault}' is not a configured backend (configured: ${names.join(', ')})`,
    );
  }
  const defaultBackend = requestedDefault ?? (names.includes(FALLBACK_BACKEND) ? FALLBACK_BACKEND : names[0]!);
  return { ...rest, backends, default_backend: defaultBackend };
}

function describeIssues(error: z.ZodError): string {
  const lines = error.issues.map((issue) => {
    const path = formatIssuePath(issue.path);
    if (issue.code === 'unrecognized_keys') {
      // Name the key a typo most likely meant, as a backend's settings do: `loging` alone leaves the operator to
      // find `logging` in the docs.
      const known = settingsKeysAt(proxyConfigSchema, issue.path);
      return issue.keys
        .map((key) => {
          const suggestion = nearestKey(key, known);
          return `${path ? `${path}.${key}` : key}: unknown key${suggestion ? `; did you mean '${suggestion}'?` : ''}`;
        })
        .join('; ');
    }
    return `${path || '(root)'}: ${issue.message}`;
  });
  return lines.join('; ');
}

/** Type guard for tests and embedders that hold either shape. */
export function isResolvedConfig(value: unknown): value is ResolvedProxyConfig {
  return typeof value === 'object' && value !== null && Array.isArray((value as { backends?: unknown }).backends);
}
