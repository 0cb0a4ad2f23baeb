import { outboundProxyFromEnv, proxyCredentials } from '@proxy/core';
import { NVIDIA_API_KEY_ENV, NVIDIA_API_KEYS_ENV } from '@proxy/nvidia';
import { proxyKeyValues } from '../auth/api-key-verifier.js';
import type { ResolvedProxyConfig } from './resolve-config.js';

/** Every credential the server knows: scrubbed from any text it logs or sends. */
export function collectSecrets(config: ResolvedProxyConfig, env: Readonly<Record<string, string | undefined>>): string[] {
  const secrets = new Set<string>(proxyKeyValues(config.auth.api_keys));
  // Read before the backends' settings are validated, so only strings count; an error about any other value never quotes it.
  for (const { api_key: key } of config.backends) if (typeof key === 'string' && key) secrets.add(key);
  // Every key of a pool too (with and without a pasted `Bearer `), so none reaches a log line or a response.
  for (const { api_keys: keys } of config.backends) {
    if (!Array.isArray(keys)) continue;
    for (const key of keys) if (typeof key === 'string' && key.trim()) secrets.add(key.trim()).add(key.trim().replace(/^bearer\s+/i, ''));
  }
  // So can the HTTP proxy the upstreams are reached through.
  for (const password of proxyCredentials(outboundProxyFromEnv(env))) secrets.add(password);
  // A Redis URL can carry a password.
  const redisPassword = config.redis_url ? safeUrl(config.redis_url)?.password : undefined;
  if (redisPassword) secrets.add(decodeURIComponent(redisPassword));
  // A key named by `api_key_env` is a secret whatever its variable is called, and so are the NVIDIA connector's own.
  for (const name of [NVIDIA_API_KEY_ENV, ...config.backends.map((backend) => backend.api_key_env)]) {
    const key = typeof name === 'string' ? env[name]?.trim() : undefined;
    if (key) secrets.add(key);
  }
  for (const key of env[NVIDIA_API_KEYS_ENV]?.split(',') ?? []) if (key.trim()) secrets.add(key.trim());
  // Other services' credentials in the environment, found by name: a guess, so only values long enough to be real
  // keys count. Placeholders such as `OPENAI_API_KEY=none` or `HF_TOKEN=EMPTY` would otherwise be cut out of every
  // answer ("There is [redacted] left").
  for (const [name, value] of Object.entries(env)) {
    if (value && /(_API_KEY|_API_KEYS|_TOKEN|_SECRET)$/.test(name)) {
      for (const part of value.split(',')) if (part.trim().length >= MIN_GUESSED_SECRET) secrets.add(part.trim());
    }
  }
  return [...secrets];
}

/** The shortest environment value taken as a secret by its variable's name alone (real keys run 20 to 100+ characters). */
const MIN_GUESSED_SECRET = 16;

function safeUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}
