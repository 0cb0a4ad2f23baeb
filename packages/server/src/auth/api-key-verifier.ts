import { hash, timingSafeEqual } from 'node:crypto';

/** A proxy key as configured: a bare key, or a key with the name the log line and metrics carry for it. */
export type ProxyKeyEntry = string | { readonly name: string; readonly key: string };

/** The key a request presented, as far as anything after auth may know it: its name, never the key. */
export interface VerifiedKey {
  /** The configured name; undefined for a key given as a bare string. */
  readonly name: string | undefined;
}

/**
 * Checks proxy keys in constant time. Only SHA-256 digests of the configured keys are kept, never the keys. The
 * presented key is hashed too, so every comparison is between equal-length digests (timingSafeEqual needs that,
 * and the key's length does not leak), and every configured key is compared even after a match, so the time taken
 * does not say which key matched or how many there are before it.
 */
export class ApiKeyVerifier {
  readonly #digests: readonly Buffer[];
  /** One frozen answer per key, built once: verifying allocates nothing beyond the digest. */
  readonly #matches: readonly VerifiedKey[];

  constructor(keys: readonly ProxyKeyEntry[]) {
    this.#digests = keys.map((entry) => digest(typeof entry === 'string' ? entry : entry.key));
    this.#matches = keys.map((entry) => Object.freeze({ name: typeof entry === 'string' ? undefined : entry.name }));
  }

  get size(): number {
    return this.#digests.length;
  }

  /** The matched key's name (in a VerifiedKey), or undefined when the presented key is not one of the proxy's. */
  verify(presented: string): VerifiedKey | undefined {
    const candidate = digest(presented);
    let matched = -1;
    for (let i = 0; i < this.#digests.length; i++) {
      if (timingSafeEqual(this.#digests[i]!, candidate)) matched = i;
    }
    return matched < 0 ? undefined : this.#matches[matched];
  }
}

/** The bare keys of a configured list (for scrubbing them from text). */
export function proxyKeyValues(keys: readonly ProxyKeyEntry[]): string[] {
  return keys.map((entry) => (typeof entry === 'string' ? entry : entry.key));
}

/** Node's one-shot hash; strings are hashed as UTF-8. */
function digest(key: string): Buffer {
  return hash('sha256', key, 'buffer');
}
