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
