import { timingSafeEqual } from 'node:crypto';

/** A proxy key as configured: a bare key, or a key with the name the log line and metrics carry for it. */
export type ProxyKeyEntry = string | { readonly name: string; readonly key: string };

/** The key a request presented, as far as anything after auth may know it: its name, never the key. */
export interface VerifiedKey {
  /** The configured name; undefined for a key given as a bare string. */
  readonly name: string | undefined;
}

/**
 * Checks proxy keys in constant time. Every configured key is kept zero-padded to the width of the longest, and the
 * presented key is copied into a buffer of that width, so each comparison is `timingSafeEqual` over equal lengths
 * (the time does not depend on where a guess goes wrong) with the lengths compared beside it; every configured key
 * is compared even after a match, so the time does not say which key matched or how many there are before it. A
 * presented key longer than every configured one is refused without comparing: that tells only that it is too long.
 * No digest: the keys are in the process anyway (the configuration, the scrubber), and a hash per request cost more
 * than the rest of the check.
 */
export class ApiKeyVerifier {
  readonly #keys: readonly Buffer[];
  readonly #lengths: readonly number[];
  /** Where the presented key is copied: one buffer, reused (verify is synchronous). */
  readonly #presented: Buffer;
  /** One frozen answer per key, built once: verifying allocates nothing. */
  readonly #matches: readonly VerifiedKey[];

  constructor(keys: readonly ProxyKeyEntry[]) {
    const raw = keys.map((entry) => Buffer.from(typeof entry === 'string' ? entry : entry.key, 'utf8'));
    const width = Math.max(1, ...raw.map((key) => key.length));
    this.#keys = raw.map((key) => Buffer.concat([key], width));
    this.#lengths = raw.map((key) => key.length);
    this.#presented = Buffer.alloc(width);
    this.#matches = keys.map((entry) => Object.freeze({ name: typeof entry === 'string' ? undefined : entry.name }));
  }

  get size(): number {
    return this.#keys.length;
  }

  /** The matched key's name (in a VerifiedKey), or undefined when the presented key is not one of the proxy's. */
  verify(presented: string): VerifiedKey | undefined {
    const scratch = this.#presented;
    const length = Buffer.byteLength(presented, 'utf8');
    if (length > scratch.length) return undefined;
    scratch.fill(0);
    scratch.write(presented, 'utf8');
    let matched = -1;
    for (let i = 0; i < this.#keys.length; i++) {
      const same = timingSafeEqual(this.#keys[i]!, scratch);
      if (same && this.#lengths[i] === length) matched = i;
    }
    return matched < 0 ? undefined : this.#matches[matched];
  }
}

/** The bare keys of a configured list (for scrubbing them from text). */
export function proxyKeyValues(keys: readonly ProxyKeyEntry[]): string[] {
  return keys.map((entry) => (typeof entry === 'string' ? entry : entry.key));
}
