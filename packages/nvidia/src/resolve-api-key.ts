/**
 * A key as people paste it: `Bearer nvapi-…` (any case), with stray spaces or a trailing newline. Returns the bare
 * key, or undefined when nothing usable is left.
 */
export function normalizeApiKey(raw: string | undefined): string | undefined {
  const key = raw?.trim().replace(/^bearer(?:\s+|$)/i, '').trim();
  return key || undefined;
}

/**
 * The key the connector sends: one passed at initialisation (e.g. YAML `api_key`) wins; an empty or whitespace-only
 * one counts as absent, and then the environment's key is used.
 */
export function resolveApiKey(configured: string | undefined, fromEnvironment: string | undefined): string | undefined {
  return normalizeApiKey(configured) ?? normalizeApiKey(fromEnvironment);
}

/** The keys configured in one place (a single key first, then a list or a comma-separated list), bare and once each. */
function keysOf(single: string | undefined, list: readonly string[] | string | undefined): string[] {
  const listed = typeof list === 'string' ? list.split(',') : (list ?? []);
  const keys = [single, ...listed].map(normalizeApiKey).filter((key): key is string => key !== undefined);
  return [...new Set(keys)];
}

/**
 * The key pool the connector sends: the configured keys (`api_key`, then `api_keys`) when there is any, else the
 * environment's (`NVIDIA_API_KEY`, then `NVIDIA_API_KEYS=a,b`). Configuration wins as a whole, as `api_key` wins
 * over `NVIDIA_API_KEY`; every key is normalised like a single one, and empty entries are dropped.
 */
export function resolveApiKeys(
  configured: { apiKey?: string | undefined; apiKeys?: readonly string[] | undefined },
  environment: { apiKey?: string | undefined; apiKeys?: string | undefined },
): string[] {
  const fromConfig = keysOf(configured.apiKey, configured.apiKeys);
  return fromConfig.length > 0 ? fromConfig : keysOf(environment.apiKey, environment.apiKeys);
}
