import { hash, timingSafeEqual } from 'node:crypto';

/**
 * Checks proxy keys in constant time. Only SHA-256 digests of the configured keys are kept, never the keys. The
 * presented key is hashed too, so every comparison is between equal-length digests (timingSafeEqual needs that,
 * and the key's length does not leak), and every configured key is compared even after a match, so the time taken
 * does not say which key matched or how many there are before it.
 */
export class ApiKeyVerifier {
  readonly #digests: readonly Buffer[];

  constructor(keys: readonly string[]) {
    this.#digests = keys.map(digest);
  }

  get size(): number {
    return this.#digests.length;
  }

  verify(presented: string): boolean {
    const candidate = digest(presented);
    let matched = false;
    for (const known of this.#digests) {
      if (timingSafeEqual(known, candidate)) matched = true;
    }
    return matched;
  }
}

/** Node's one-shot hash; strings are hashed as UTF-8. */
function digest(key: string): Buffer {
  return hash('sha256', key, 'buffer');
}
