import { isUtf8 } from 'node:buffer';
import { StringDecoder } from 'node:string_decoder';
import { createParser, type EventSourceParser } from 'eventsource-parser';
import { formatSseData } from '../sse/format-sse.js';
import { DONE_DATA, type SseEvent } from '../sse/sse-event.js';
import type { StreamUsageTracker } from '../usage/stream-usage-tracker.js';
import { readUsage } from './read-chat-event.js';

const LF = 0x0a;
const CR = 0x0d;
// `usage"` rather than `"usage"`: the same events are caught (and a few more, which are merely parsed), but a needle
// that starts with a quote, the commonest byte in JSON, makes Buffer#indexOf about six times slower.
const USAGE_KEY = Buffer.from('usage"');
const DONE_MARK = Buffer.from(DONE_DATA);

/**
 * Turns upstream SSE bytes into what the client is sent, one upstream read at a time. A read that starts and ends
 * at an event boundary and holds only `data:` lines with nothing to act on (no usage, no `[DONE]`, no CR, valid
 * UTF-8: what NIM sends for nearly every read) is forwarded as the same Buffer: no decode, no parse, no re-encode.
 * Anything else goes through eventsource-parser and is re-framed as `data: …` events: comments and other fields
 * dropped, usage read, usage-only frames dropped unless the client asked for them, `[DONE]` ending the stream.
 */
export class ChatSseReframer {
  readonly #includeUsage: boolean;
  readonly #tracker: StreamUsageTracker;
  /** StringDecoder, not TextDecoder: each TextDecoder opens an ICU converter, ≈ 5 µs a stream in profiles. */
  #decoder: StringDecoder | undefined;
  #parser: EventSourceParser | undefined;
  #events: SseEvent[] = [];
  /** No partial event or UTF-8 sequence is pending in the decoder or parser. */
  #atBoundary = true;
  /** Nothing of the stream has been read yet (where a byte-order mark may stand). */
  #atStart = true;
  #done = false;

  constructor(options: { includeUsage: boolean; tracker: StreamUsageTracker }) {
    this.#includeUsage = options.includeUsage;
    this.#tracker = options.tracker;
  }

  /** `[DONE]` was read: the stream is finished and nothing after it is output. */
  get done(): boolean {
    return this.#done;
  }

  /**
   * The bytes to send for one upstream read (possibly empty); stops at `[DONE]`, which it does not include. The
   * whole events at the start of the read that need nothing done leave as a slice of it; only the rest is parsed.
   */
  push(chunk: Buffer): Buffer | string {
    if (this.#done) return '';
    const plain = this.#atBoundary ? plainPrefixLength(chunk) : 0;
    if (plain > 0) this.#atStart = false;
    if (plain === chunk.length) return chunk;
    let text = (this.#decoder ??= new StringDecoder('utf8')).write(plain === 0 ? chunk : chunk.subarray(plain));
    if (this.#atStart && text.length > 0) {
      // A stream may open with a byte-order mark, which SSE ignores (StringDecoder keeps it, eventsource-parser too).
      this.#atStart = false;
      if (text.startsWith('\uFEFF')) text = text.slice(1);
    }
    this.#atBoundary = text.endsWith('\n\n');
    const rest = this.#reframe(text);
    if (plain === 0) return rest;
    const head = chunk.subarray(0, plain);
    return rest === '' ? head : Buffer.concat([head, Buffer.from(rest)]);
  }

  /** The body ended: a last event without its blank line still counts. */
  end(): string {
    if (this.#done || !this.#parser) return '';
    return this.#reframe(`${this.#decoder!.end()}\n\n`);
  }

  #reframe(text: string): string {
    this.#parser ??= createParser({ onEvent: (event) => this.#events.push({ data: event.data, event: event.event, id: event.id }) });
    this.#parser.feed(text);
    const events = this.#events;
    this.#events = [];
    let out = '';
    for (const event of events) {
      if (event.data === DONE_DATA) {
        this.#done = true;
        break;
      }
      const reading = readUsage(event.data);
      if (reading) {
        this.#tracker.observe(reading.usage);
        if (reading.usageOnly && !this.#includeUsage) continue;
      }
      out += formatSseData(event.data);
    }
    return out;
  }
}

/**
 * How many bytes at the start of `chunk` are whole events of `data:` lines only, with nothing to act on (no usage,
 * no `[DONE]`, no CR, valid UTF-8), so they can be forwarded byte for byte. Lines are found with native indexOf:
 * a typical read of twenty frames costs a few dozen calls.
 */
export function plainPrefixLength(chunk: Buffer): number {
  const length = chunk.length;
  // Nothing past the first byte that needs attention can be plain; the event holding it is parsed.
  const limit = Math.min(firstIndex(chunk, CR), firstIndex(chunk, USAGE_KEY), firstIndex(chunk, DONE_MARK));
  let plainEnd = 0;
  for (let position = 0; position < length; ) {
    if (chunk[position] === LF) {
      // The blank line that ends an event: the event is plain if it ended before the limit.
      if (position >= limit) break;
      plainEnd = ++position;
      continue;
    }
    if (!startsWithDataField(chunk, position)) break;
    const lineEnd = chunk.indexOf(LF, position + 5);
    if (lineEnd === -1) break; // an incomplete line: parsed with the rest
    position = lineEnd + 1;
  }
  if (plainEnd === 0) return 0;
  return isUtf8(plainEnd === length ? chunk : chunk.subarray(0, plainEnd)) ? plainEnd : 0;
}

/** Whether the whole of `chunk` is such events. */
export function isPlainDataFrames(chunk: Buffer): boolean {
  return chunk.length > 0 && plainPrefixLength(chunk) === chunk.length;
}

function firstIndex(chunk: Buffer, value: number | Buffer): number {
  const index = chunk.indexOf(value);
  return index === -1 ? chunk.length : index;
}

/** `data:` at `position` (byte by byte: cheaper than a native call for five bytes). */
function startsWithDataField(chunk: Buffer, position: number): boolean {
  return (
    chunk[position] === 0x64 &&
    chunk[position + 1] === 0x61 &&
    chunk[position + 2] === 0x74 &&
    chunk[position + 3] === 0x61 &&
    chunk[position + 4] === 0x3a
  );
}
