/**
 * Whether any of a set of ASCII needles occurs in some bytes or text, in one pass that skips most of it: the
 * Wu–Manber multi-pattern search over two-byte blocks. A block that ends no needle's first `m` bytes (m, the shortest
 * needle's length) lets the window jump up to `m - 1` bytes, so text without a secret in it, which is nearly all
 * text, is read a few bytes in ten.
 *
 * Hand-written because nothing built in does this: a regular expression of the needles, or one native `indexOf` per
 * needle, reads every byte once per needle and cost the streaming relay ≈ 4× this on a 4.4 KiB read (`pnpm bench`
 * misses its streaming target with them; see docs/performance.md).
 */
export class NeedleSet {
  /** The window: every needle's first `#width` bytes are what is looked for, then the whole needle is compared. */
  readonly #width: number;
  /** By two-byte block: how far the window may move when its last two bytes are that block. */
  readonly #shift: Uint8Array;
  /** By the last block of a needle's window: the needles that end their window with it (shift 0). */
  readonly #endingWith = new Map<number, Buffer[]>();

  /** `needles`: ASCII only, each at least 2 bytes long. */
  constructor(needles: readonly Buffer[]) {
    const width = Math.min(255, ...needles.map((needle) => needle.length));
    if (width < 2) throw new RangeError('NeedleSet needs needles of two bytes or more');
    this.#width = width;
    this.#shift = new Uint8Array(65536).fill(width - 1);
    for (const needle of needles) {
      for (let end = 1; end < width; end++) {
        const block = (needle[end - 1]! << 8) | needle[end]!;
        this.#shift[block] = Math.min(this.#shift[block]!, width - 1 - end);
      }
      const last = (needle[width - 2]! << 8) | needle[width - 1]!;
      const list = this.#endingWith.get(last);
      if (list) list.push(needle);
      else this.#endingWith.set(last, [needle]);
    }
  }

  /** Whether some needle occurs in `bytes`. */
  foundIn(bytes: Buffer): boolean {
    return this.#search(
      bytes.length,
      (at) => bytes[at]!,
      (needle, start) => bytes.compare(needle, 0, needle.length, start, start + needle.length) === 0,
    );
  }

  /** Whether some needle occurs in `text` (code units above 0xFF never match: the needles are ASCII). */
  foundInText(text: string): boolean {
    return this.#search(
      text.length,
      (at) => text.charCodeAt(at),
      (needle, start) => matchesAt(text, needle, start),
    );
  }

  /**
   * The search itself, over `length` code units read by `codeAt` (only their low byte picks a block's shift, which
   * is safe: a non-ASCII unit is in no needle, and a shift too short only costs a look) and compared whole with a
   * needle by `matches`.
   */
  #search(length: number, codeAt: (at: number) => number, matches: (needle: Buffer, start: number) => boolean): boolean {
    const width = this.#width;
    const shift = this.#shift;
    for (let end = width - 1; end < length; ) {
      const block = ((codeAt(end - 1) & 0xff) << 8) | (codeAt(end) & 0xff);
      const step = shift[block]!;
      if (step !== 0) {
        end += step;
        continue;
      }
      const start = end - width + 1;
      for (const needle of this.#endingWith.get(block)!) {
        if (start + needle.length <= length && matches(needle, start)) return true;
      }
      end++;
    }
    return false;
  }
}

function matchesAt(text: string, needle: Buffer, start: number): boolean {
  for (let i = 0; i < needle.length; i++) if (text.charCodeAt(start + i) !== needle[i]) return false;
  return true;
}
