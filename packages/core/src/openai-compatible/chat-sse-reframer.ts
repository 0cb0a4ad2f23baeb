import { isUtf8 } from 'node:buffer';
import { StringDecoder } from 'node:string_decoder';
import { createParser, type EventSourceParser } from 'eventsource-parser';
import { formatSseData } from '../sse/format-sse.js';
import { DONE_DATA, type SseEvent } from '../sse/sse-event.js';
import type { StreamUsageTracker } from '../usage/stream-usage-tracker.js';
import { readUsage } from './read-chat-event.js';

const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
// `usage"` rather than `"usage"`: the same events are caught (and a few more, which are merely parsed), but a needle
// that starts with a quote, the commonest byte in JSON, makes Buffer#indexOf about six times slower.
const USAGE_KEY = Buffer.from('usage"');
const DONE_BYTES = Buffer.from(DONE_DATA);

/**
 * Turns upstream SSE bytes into what the client is sent, one upstream read at a time. Reads that start at an event
 * boundary and hold `data:` lines only (no CR, valid UTF-8: what NIM sends) are sent as they are, as the same
 * Buffer or a slice of it: no decode, no parse, no re-encode. Their one-line usage frames are read for accounting
 * (and left out when usage-only and the client did not ask for usage), and `[DONE]` ends the stream. Anything else
 * goes through eventsource-parser and is re-framed as `data: …` events: comments and other fields dropped, the
 * same rules for usage and `[DONE]`.
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
    const scan = this.#atBoundary ? scanFrames(chunk) : NOTHING_SCANNED;
    let head: Buffer | undefined;
    if (scan.end > 0) {
      this.#atStart = false;
      head = this.#applyScan(chunk, scan);
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
    return rest === '' ? head : Buffer.concat([head, Buffer.from(rest)]);
  }

  /**
   * The scanned part of a read as it is sent: the same bytes, less usage-only frames the client did not ask for
   * and everything from `[DONE]` on; usage is read from the usage frames (a slice of the read when none is dropped).
   */
  #applyScan(chunk: Buffer, scan: FrameScan): Buffer {
    let kept: Buffer[] | undefined;
    let from = 0;
    for (const frame of scan.usageFrames) {
      const reading = readUsage(chunk.toString('utf8', frame.dataStart, frame.dataEnd));
      if (!reading) continue;
      this.#tracker.observe(reading.usage);
      if (!reading.usageOnly || this.#includeUsage) continue;
      kept ??= [];
      if (frame.start > from) kept.push(chunk.subarray(from, frame.start));
      from = frame.end;
    }
    if (scan.done) this.#done = true;
    const last = chunk.subarray(from, scan.sendEnd);
    if (!kept) return scan.sendEnd === chunk.length ? chunk : last; // nothing dropped: `from` is still 0
    if (last.length > 0) kept.push(last);
    // Usually a single slice (the frames before a dropped usage frame that ends the stream): no copy then.
    return kept.length === 1 ? kept[0]! : kept.length === 0 ? EMPTY : Buffer.concat(kept);
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

/** A one-line event whose data reports usage: `start`..`end` is the whole event, `dataStart`..`dataEnd` its data. */
interface UsageFrame {
  readonly start: number;
  readonly end: number;
  readonly dataStart: number;
  readonly dataEnd: number;
}

/** What scanFrames found at the start of a read. */
interface FrameScan {
  /** Bytes handled without the parser (the whole read once `[DONE]` is found); the rest is parsed. */
  readonly end: number;
  /** Where the bytes to send end: `end`, or the start of `[DONE]`. */
  readonly sendEnd: number;
  readonly done: boolean;
  readonly usageFrames: readonly UsageFrame[];
}

const NO_USAGE_FRAMES: readonly UsageFrame[] = [];
const EMPTY = Buffer.alloc(0);
const NOTHING_SCANNED: FrameScan = { end: 0, sendEnd: 0, done: false, usageFrames: NO_USAGE_FRAMES };

/**
 * How far from its start a read holds whole events of `data:` lines with no CR and valid UTF-8, which can be sent
 * byte for byte, up to and including a `[DONE]` event; one-line events that mention usage are listed for the
 * caller to read. Lines are found with native indexOf: a typical read of twenty frames costs a few dozen calls.
 */
export function scanFrames(chunk: Buffer): FrameScan {
  const length = chunk.length;
  // Lines may end in CR (CRLF): from the event holding the first one on, the parser decides.
  const limit = firstIndex(chunk, CR, 0);
  let usageAt = firstIndex(chunk, USAGE_KEY, 0);
  let usageFrames: UsageFrame[] | undefined;
  let end = 0;
  for (let position = 0; position < length; ) {
    if (chunk[position] === LF) {
      // A blank line with no event before it: passed on, as clients ignore it too.
      if (position >= limit) break;
      end = ++position;
      continue;
    }
    const start = position;
    let lines = 0;
    let dataStart = 0;
    let dataEnd = 0;
    let complete = false;
    while (startsWithDataField(chunk, position)) {
      const lineEnd = chunk.indexOf(LF, position + 5);
      if (lineEnd === -1) break; // an incomplete line: parsed with the rest
      if (lines++ === 0) {
        dataStart = chunk[position + 5] === SPACE ? position + 6 : position + 5;
        dataEnd = lineEnd;
      }
      position = lineEnd + 1;
      if (chunk[position] === LF) {
        complete = true;
        position++;
        break;
      }
    }
    if (!complete || limit < position) break;
    if (lines === 1 && isDoneData(chunk, dataStart, dataEnd)) {
      if (!isUtf8(chunk.subarray(0, start))) return NOTHING_SCANNED;
      return { end: length, sendEnd: start, done: true, usageFrames: usageFrames ?? NO_USAGE_FRAMES };
    }
    if (usageAt < position) {
      if (lines !== 1) break; // usage in a multi-line event: parsed
      (usageFrames ??= []).push({ start, end: position, dataStart, dataEnd });
      usageAt = firstIndex(chunk, USAGE_KEY, position);
    }
    end = position;
  }
  if (end === 0 || !isUtf8(end === length ? chunk : chunk.subarray(0, end))) return NOTHING_SCANNED;
  return { end, sendEnd: end, done: false, usageFrames: usageFrames ?? NO_USAGE_FRAMES };
}

/** Whether the whole of `chunk` is events that are sent as they are (nothing to read or act on). */
export function isPlainDataFrames(chunk: Buffer): boolean {
  const scan = scanFrames(chunk);
  return chunk.length > 0 && scan.end === chunk.length && !scan.done && scan.usageFrames.length === 0;
}

function isDoneData(chunk: Buffer, start: number, end: number): boolean {
  return end - start === DONE_BYTES.length && chunk.compare(DONE_BYTES, 0, DONE_BYTES.length, start, end) === 0;
}

function firstIndex(chunk: Buffer, value: number | Buffer, from: number): number {
  const index = chunk.indexOf(value, from);
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
