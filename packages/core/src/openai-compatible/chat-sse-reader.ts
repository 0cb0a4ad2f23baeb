import { StringDecoder } from 'node:string_decoder';
import { createParser, type EventSourceParser } from 'eventsource-parser';
import { ProxyError } from '../errors/proxy-error.js';
import { formatSseData } from '../sse/format-sse.js';
import { DONE_DATA, type SseEvent } from '../sse/sse-event.js';
import type { StreamUsageTracker } from '../usage/stream-usage-tracker.js';
import { ChatSseRead } from './chat-stream-read.js';
import { readUsage } from './read-chat-event.js';
import { NOTHING_SCANNED, scanFrames, type FrameScan } from './scan-frames.js';

const EMPTY = Buffer.alloc(0);
/**
 * The most an upstream may send of one event before it ends: NIM's single lines reach 1 MiB, so this leaves room,
 * while an event that never ends cannot grow the parser's buffer without bound.
 */
export const MAX_SSE_EVENT_BYTES = 16 * 1024 * 1024;
const FINISH_KEY_NAME = 'finish_reason"';
const FINISH_KEY = 'finish_reason":"';
const FINISH_KEY_SPACED = 'finish_reason": "';

/**
 * Turns upstream SSE bytes into ChatStreamReads, one upstream read at a time: the one place where `[DONE]` ends a
 * stream, usage reports are tracked and usage-only frames are told apart.
 *
 * Reads that start at an event boundary and hold `data:` lines only (no CR, valid UTF-8: what NIM sends) become
 * reads of the same Buffer or a slice of it — no decode, no parse, no re-encode — so a pass-through relay writes
 * the upstream's own bytes. Anything else goes through eventsource-parser and is re-framed as `data: …` events
 * (comments and other fields dropped), under the same rules.
 */
export class ChatSseReader {
  readonly #tracker: StreamUsageTracker;
  readonly #backend: string;
  /** Bytes given to the parser since it last completed an event. */
  #pendingBytes = 0;
  #sawFinishReason = false;
  /** StringDecoder, not TextDecoder: it carries a split UTF-8 sequence over without an ICU converter per stream. */
  #decoder: StringDecoder | undefined;
  #parser: EventSourceParser | undefined;
  #events: SseEvent[] = [];
  /** No partial event or UTF-8 sequence is pending in the decoder or parser. */
  #atBoundary = true;
  /** Nothing of the stream has been read yet (where a byte-order mark may stand). */
  #atStart = true;
  /** The body's first significant byte has been looked at (see #refuseNonSse). */
  #opened = false;
  #done = false;

  /** `backend` names the upstream in the errors it throws. */
  constructor(tracker: StreamUsageTracker, backend = 'upstream') {
    this.#tracker = tracker;
    this.#backend = backend;
  }

  /** Some event carried a `finish_reason`: the answer is whole even if the body ends without `[DONE]`. */
  get sawFinishReason(): boolean {
    return this.#sawFinishReason;
  }

  /** `[DONE]` was read: the stream is finished and nothing after it is read. */
  get done(): boolean {
    return this.#done;
  }

  /**
   * The events one upstream read completed, up to `[DONE]`; undefined when it completed none. Throws a 502
   * ProxyError for an event that is not a JSON object or that grows past MAX_SSE_EVENT_BYTES.
   */
  push(chunk: Buffer): ChatSseRead | undefined {
    if (!this.#opened) this.#refuseNonSse(chunk);
    const read = this.#push(chunk);
    if (read && !this.#sawFinishReason) this.#sawFinishReason = hasFinishReason(read.bytes);
    return read;
  }

  #push(chunk: Buffer): ChatSseRead | undefined {
    if (this.#done) return undefined;
    const scan = this.#atBoundary ? scanFrames(chunk) : NOTHING_SCANNED;
    let head: ChatSseRead | undefined;
    if (scan.end > 0) {
      this.#atStart = false;
      head = this.#fromScan(chunk, scan);
      if (scan.done || scan.end === chunk.length) return head;
    }
    let text = (this.#decoder ??= new StringDecoder('utf8')).write(scan.end === 0 ? chunk : chunk.subarray(scan.end));
    if (this.#atStart && text.length > 0) {
      // A stream may open with a byte-order mark, which SSE ignores (StringDecoder keeps it, eventsource-parser too).
      this.#atStart = false;
      if (text.startsWith('\uFEFF')) text = text.slice(1);
    }
    this.#atBoundary = text.endsWith('\n\n');
    const rest = this.#reframe(text);
    if (head === undefined) return rest;
    return rest === undefined ? head : joinReads(head, rest);
  }

  /**
   * A 200 to a stream request whose body opens as JSON (`{`, `[`) or markup (`<`, an HTML error page) is no event
   * stream: named at once, where SSE parsing would skip its lines and report a stream that ended without an answer.
   */
  #refuseNonSse(chunk: Buffer): void {
    let at = 0;
    if (this.#atStart && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) at = 3; // a byte-order mark
    // Blank lines may open a stream: what counts is the first byte after them, in whichever read it comes.
    while (chunk[at] === 0x20 || chunk[at] === 0x09 || chunk[at] === 0x0a || chunk[at] === 0x0d) at++;
    if (at >= chunk.length) return;
    this.#opened = true;
    const first = chunk[at];
    const opens = first === 0x7b ? 'a JSON object' : first === 0x5b ? 'a JSON array' : first === 0x3c ? 'markup (<)' : undefined;
    if (opens === undefined) return;
    throw new ProxyError({
      status: 502,
      code: 'upstream_invalid_response',
      isRetryable: false,
      message: `The ${this.#backend} upstream answered a stream request with a body that is not an event stream (it opens with ${opens})`,
    });
  }

  /** The body ended: a last event without its blank line still counts. */
  end(): ChatSseRead | undefined {
    if (this.#done || !this.#parser) return undefined;
    const read = this.#reframe(`${this.#decoder!.end()}\n\n`);
    if (read && !this.#sawFinishReason) this.#sawFinishReason = hasFinishReason(read.bytes);
    return read;
  }

  /** The scanned part of a read: its bytes as they came, usage read from its usage frames. */
  #fromScan(chunk: Buffer, scan: FrameScan): ChatSseRead | undefined {
    if (scan.done) this.#done = true;
    const bytes = scan.sendEnd === chunk.length ? chunk : chunk.subarray(0, scan.sendEnd);
    let dropped: { start: number; end: number }[] | undefined;
    let repaired: { start: number; end: number; frame: string }[] | undefined;
    for (const frame of scan.usageFrames) {
      const reading = readUsage(chunk.toString('utf8', frame.dataStart, frame.dataEnd));
      if (!reading) continue;
      this.#tracker.observe(reading.usage);
      if (reading.usageOnly) (dropped ??= []).push(frame);
      if (reading.withChoices !== undefined) (repaired ??= []).push({ start: frame.start, end: frame.end, frame: formatSseData(reading.withChoices) });
    }
    if (bytes.length === 0) return undefined;
    const sent = repaired ? replaced(bytes, repaired) : bytes;
    if (!dropped) return new ChatSseRead(sent, sent);
    const ranges = dropped;
    return new ChatSseRead(sent, () => without(bytes, ranges));
  }

  #reframe(text: string): ChatSseRead | undefined {
    this.#parser ??= createParser({ onEvent: (event) => this.#events.push({ data: event.data, event: event.event, id: event.id }) });
    this.#parser.feed(text);
    const events = this.#events;
    this.#events = [];
    // Reset once an event completes: what stays buffered is then at most the rest of this read.
    this.#pendingBytes = events.length > 0 ? 0 : this.#pendingBytes + text.length;
    if (this.#pendingBytes > MAX_SSE_EVENT_BYTES) {
      throw new ProxyError({
        status: 502,
        code: 'upstream_response_too_large',
        isRetryable: false,
        message: `The ${this.#backend} upstream sent a stream event larger than ${MAX_SSE_EVENT_BYTES / 1024 / 1024} MiB`,
      });
    }
    let out = '';
    let kept = '';
    for (const event of events) {
      if (event.data === DONE_DATA) {
        this.#done = true;
        break;
      }
      if (!isJsonObjectText(event.data)) {
        throw new ProxyError({
          status: 502,
          code: 'upstream_invalid_response',
          isRetryable: false,
          message: `The ${this.#backend} upstream sent a stream event that is not a JSON chunk`,
        });
      }
      const reading = readUsage(event.data);
      const frame = formatSseData(reading?.withChoices ?? event.data);
      out += frame;
      if (reading) this.#tracker.observe(reading.usage);
      if (!reading?.usageOnly) kept += frame;
    }
    return out === '' ? undefined : new ChatSseRead(out, kept);
  }
}

/** `{…}` around the text (blanks aside): what every chunk is, and what a client's JSON.parse can take. */
function isJsonObjectText(data: string): boolean {
  const text = data.trim();
  return text.startsWith('{') && text.endsWith('}');
}

/**
 * Whether a `finish_reason` with a value (not null) appears in the bytes. The last `finish_reason` key is looked at
 * first: the read that ends an answer has its value there, so that read costs one backward search. Otherwise the key
 * is looked for followed by a string, compact or with one space, so the `"finish_reason":null` of every other chunk
 * costs no parse.
 */
function hasFinishReason(bytes: string | Uint8Array): boolean {
  const text = typeof bytes === 'string' || Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const last = text.lastIndexOf(FINISH_KEY_NAME);
  if (last === -1) return false;
  if (startsWithAt(text, FINISH_KEY, last) || startsWithAt(text, FINISH_KEY_SPACED, last)) return true;
  return text.includes(FINISH_KEY) || text.includes(FINISH_KEY_SPACED);
}

/** Whether `text` holds the ASCII `prefix` at `at`. */
function startsWithAt(text: string | Buffer, prefix: string, at: number): boolean {
  if (typeof text === 'string') return text.startsWith(prefix, at);
  if (at + prefix.length > text.length) return false;
  for (let i = 0; i < prefix.length; i++) if (text[at + i] !== prefix.charCodeAt(i)) return false;
  return true;
}

/** `bytes` less the given ranges (usage-only frames), as one slice when they only trim its end. */
function without(bytes: Buffer, ranges: readonly { start: number; end: number }[]): Buffer {
  const parts: Buffer[] = [];
  let from = 0;
  for (const range of ranges) {
    if (range.start > from) parts.push(bytes.subarray(from, range.start));
    from = range.end;
  }
  if (from < bytes.length) parts.push(bytes.subarray(from));
  return parts.length === 0 ? EMPTY : parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

/** `bytes` with the given ranges (usage frames given `choices: []`) replaced by their new frames. */
function replaced(bytes: Buffer, ranges: readonly { start: number; end: number; frame: string }[]): Buffer {
  const parts: Buffer[] = [];
  let from = 0;
  for (const range of ranges) {
    parts.push(bytes.subarray(from, range.start), Buffer.from(range.frame));
    from = range.end;
  }
  parts.push(bytes.subarray(from));
  return Buffer.concat(parts);
}

/** A read whose start came as it was and whose rest was re-framed (rare: a read that breaks the fast path mid-way). */
function joinReads(head: ChatSseRead, rest: ChatSseRead): ChatSseRead {
  const join = (a: string | Uint8Array, b: string | Uint8Array) => Buffer.concat([toBuffer(a), toBuffer(b)]);
  const bytes = join(head.bytes, rest.bytes);
  return new ChatSseRead(bytes, () => join(head.withoutUsageOnly(), rest.withoutUsageOnly()));
}

function toBuffer(value: string | Uint8Array): Buffer {
  return typeof value === 'string' ? Buffer.from(value) : Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}
