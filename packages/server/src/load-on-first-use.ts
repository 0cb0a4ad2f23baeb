import { createRequire } from 'node:module';

const requireHere = createRequire(import.meta.url);

/**
 * A dependency loaded the first time it is needed instead of at start-up, for the large ones only some proxies
 * use: the tokenizer (≈ 40 MiB of a process's RSS, for Anthropic token counts NIM did not report) and the Redis
 * client (≈ 25 MiB, with `redis_url` only). A proxy that never needs them does not carry them. Loaded with
 * `require` (both ship CommonJS), so callers stay synchronous; the first one waits for the load, once.
 */
export function loadOnFirstUse<Module>(specifier: string): () => Module {
  let loaded: Module | undefined;
  return () => (loaded ??= requireHere(specifier) as Module);
}
