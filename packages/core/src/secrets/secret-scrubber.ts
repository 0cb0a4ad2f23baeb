import { NeedleSet } from './needle-set.js';

const REDACTED = Buffer.from('[redacted]');
/** Shorter secrets are scrubbed only whole: a prefix of a short one would match ordinary text. */
const PREFIX_FROM_LENGTH = 20;
/** The leading characters of a long secret that already count as a leak. */
const PREFIX_LENGTH = 12;

interface Needle {
  readonly text: string;
  readonly bytes: Buffer;
  /** The secrets (or their forms) this needle begins: a match is widened over as much more of one as follows it. */
  readonly secrets: Buffer[];
}

/**
 * Removes secrets from bytes on their way to a client, whatever an upstream put in them: each secret whole, its
 * first 12 characters (and whatever more of it follows them), its JSON form with escaped slashes, its URL-encoding
 * and its base64 and base64url
 * encodings at each of the three alignments a surrounding text can give it. One skipping pass over each read for all
 * needles (NeedleSet), no parse: bytes with no secret in them come back as the very same object.
 */
export class SecretScrubber {
  readonly #needles: readonly Needle[];
  /**
   * Every needle in one search: one pass per read finds whether any is there, whatever their number. Undefined
   * when a secret has non-ASCII characters (NeedleSet takes ASCII only): each needle is then looked for on its own.
   */
  readonly #anyNeedle: NeedleSet | undefined;

  constructor(secrets: readonly (string | undefined)[]) {
    const needles = new Map<string, Needle>();
    const add = (text: string, secret?: Buffer) => {
      if (text.length < 4) return;
      const needle = needles.get(text) ?? { text, bytes: Buffer.from(text), secrets: [] };
      needles.set(text, needle);
      if (secret && !needle.secrets.some((known) => known.equals(secret))) needle.secrets.push(secret);
    };
    /** A secret's form: whole when short, else its first characters, widened over as much more of it as follows. */
    const addForm = (form: string) => add(form.length >= PREFIX_FROM_LENGTH ? form.slice(0, PREFIX_LENGTH) : form, Buffer.from(form));
    // A key configured as `Bearer <key>` is sent as the key; its scheme is no secret.
    for (const secret of new Set(secrets.map((value) => value?.replace(/^\s*bearer\s+/i, '').trim()))) {
      if (!secret || secret.length < 4) continue;
      const whole = Buffer.from(secret);
      addForm(secret);
      // JSON lets a writer escape '/' as '\/' (PHP's json_encode does by default): an echo in that form is the key too.
      const escaped = secret.replaceAll('/', '\\/');
      if (escaped !== secret) {
        add(escaped);
        addForm(escaped);
      }
      const encoded = encodeURIComponent(secret);
      if (encoded !== secret) add(encoded);
      for (const fragment of base64Fragments(whole)) add(fragment);
    }
    // Longest first, so a whole form is taken before a shorter one found inside it.
    this.#needles = [...needles.values()].sort((a, b) => b.bytes.length - a.bytes.length);
    const ascii = this.#needles.every((needle) => needle.bytes.length === needle.text.length);
    this.#anyNeedle = this.#needles.length > 0 && ascii ? new NeedleSet(this.#needles.map((needle) => needle.bytes)) : undefined;
  }

  /** Whether there is anything to scrub at all (no secrets configured: every call is a no-op). */
  get active(): boolean {
    return this.#needles.length > 0;
  }

  scrub(bytes: string): string;
  scrub(bytes: string | Uint8Array): string | Uint8Array;
  scrub(bytes: string | Uint8Array): string | Uint8Array {
    if (this.#needles.length === 0 || bytes.length === 0) return bytes;
    const buffer = typeof bytes === 'string' ? undefined : Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const anyNeedle = this.#anyNeedle;
    if (anyNeedle && !(buffer === undefined ? anyNeedle.foundInText(bytes as string) : anyNeedle.foundIn(buffer))) return bytes;
    return this.#replace(bytes, buffer ?? Buffer.from(bytes as string));
  }

  #replace(bytes: string | Uint8Array, buffer: Buffer): string | Uint8Array {
    let out: Buffer | undefined;
    for (const needle of this.#needles) {
      const from = (out ?? buffer).indexOf(needle.bytes);
      if (from !== -1) out = replaceAll(out ?? buffer, needle, from);
    }
    if (out === undefined) return bytes;
    return typeof bytes === 'string' ? out.toString('utf8') : out;
  }
}

/** A copy of `buffer` with every match of `needle` (from `first` on) replaced by `[redacted]`. */
function replaceAll(buffer: Buffer, needle: Needle, first: number): Buffer {
  const parts: Buffer[] = [];
  let from = 0;
  for (let at = first; at !== -1; at = buffer.indexOf(needle.bytes, from)) {
    let end = at + needle.bytes.length;
    for (const secret of needle.secrets) {
      let widened = at + needle.bytes.length;
      while (widened - at < secret.length && buffer[widened] === secret[widened - at]) widened++;
      end = Math.max(end, widened);
    }
    parts.push(buffer.subarray(from, at), REDACTED);
    from = end;
  }
  parts.push(buffer.subarray(from));
  return Buffer.concat(parts);
}

/**
 * Text that any base64 (or base64url) encoding of a message containing `secret` must contain: for each of the
 * three offsets the secret can start at within a 3-byte group, the characters that depend on the secret alone.
 */
function base64Fragments(secret: Buffer): string[] {
  const fragments: string[] = [];
  for (let offset = 0; offset < 3; offset++) {
    const padded = Buffer.concat([Buffer.alloc(offset), secret]);
    const whole = Math.floor(padded.length / 3) * 3;
    // Characters before the secret's first whole group and after its last one mix in its neighbours.
    const skip = offset === 0 ? 0 : 4;
    const text = padded.subarray(0, whole).toString('base64').slice(skip);
    if (text.length < 8) continue;
    fragments.push(text, text.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return fragments;
}
