import { isUtf8 } from 'node:buffer';
import { DONE_DATA } from '../sse/sse-event.js';

const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
// `usage"` rather than `"usage"`: the same events are caught (and a few more, which are merely parsed), but a needle
// that starts with a quote, the commonest byte in JSON, makes Buffer#indexOf about six times slower.
const USAGE_KEY = Buffer.from('usage"');
const DONE_BYTES = Buffer.from(DONE_DATA);

/** A one-line event whose data reports usage: `start`..`end` is the whole event, `dataStart`..`dataEnd` its data. */
export interface UsageFrame {
  readonly start: number;
  readonly end: number;
  readonly dataStart: number;
  readonly dataEnd: number;
}

/** What scanFrames found at the start of a read. */
export interface FrameScan {
  /** Bytes handled without the parser (the whole read once `[DONE]` is found); the rest is parsed. */
  readonly end: number;
  /** Where the bytes to send end: `end`, or the start of `[DONE]`. */
  readonly sendEnd: number;
  readonly done: boolean;
  readonly usageFrames: readonly UsageFrame[];
}

const NO_USAGE_FRAMES: readonly UsageFrame[] = [];
export const NOTHING_SCANNED: FrameScan = { end: 0, sendEnd: 0, done: false, usageFrames: NO_USAGE_FRAMES };

/**
 * How far from its start a read holds whole one-line `data: {…}` events with no CR and valid UTF-8, which can be
 * sent byte for byte, up to and including a `[DONE]` event; events that mention usage are listed for the caller
 * to read. Lines are found with native indexOf: a typical read of twenty frames costs a few dozen calls.
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
    // What is sent as it is must be a JSON object a client can parse: anything else (a multi-line event, a line
    // that is not `{…}`) is left to the reader's full parse, which refuses what is not JSON.
    if (lines !== 1 || chunk[dataStart] !== OPEN_BRACE || chunk[dataEnd - 1] !== CLOSE_BRACE) break;
    if (usageAt < position) {
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
