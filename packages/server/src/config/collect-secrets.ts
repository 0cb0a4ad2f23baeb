import { proxyKeyValues } from '../auth/api-key-verifier.js';
import type { ResolvedProxyConfig } from './resolve-config.js';

/** Every credential the server knows: scrubbed from any text it logs or sends. */
export function collectSecrets(config: ResolvedProxyConfig, env: Readonly<Record<string, string | undefined>>): string[] {
  const secrets = new Set<string>(proxyKeyValues(config.auth.api_keys));
  // Read before the backends' settings are validated, so only strings count; an error about any other value never quotes it.
  for (const { api_key: key } of config.backends) if (typeof key === 'string' && key) secrets.add(key);
  // A key named by `api_key_env` is a secret whatever its variable is called.
  for (const { api_key_env: name } of config.backends) {
    const key = typeof name === 'string' ? env[name]?.trim() : undefined;
    if (key) secrets.add(key);
  }
  for (const [name, value] of Object.entries(env)) {
    if (value && /(_API_KEY|_API_KEYS|_TOKEN|_SECRET)$/.test(name)) {
      for (const part of value.split(',')) if (part.trim()) secrets.add(part.trim());
    }
  }
  return [...secrets];
}
