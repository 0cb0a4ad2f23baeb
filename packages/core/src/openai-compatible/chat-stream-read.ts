import type { ChatStreamEvent, ChatStreamRead } from '../connector.js';
import { sseDataLineValue } from '../sse/format-sse.js';
import type { TokenUsage } from '../usage/token-usage.js';
import { readUsage, type UsageReading } from './read-chat-event.js';

const NO_EVENTS: readonly ChatStreamEvent[] = [];
const NOT_READ = Symbol('not read');

/**
 * One event of a read, parsed on demand: a pass-through relay never asks, a translating one asks once.
 * `usage` is read with the same rule as accounting's (readUsage), so both see the same reports.
 */
class LazyChatStreamEvent implements ChatStreamEvent {
  readonly data: string;
  #json: unknown = NOT_READ;
  #usage: UsageReading | undefined | typeof NOT_READ = NOT_READ;

  constructor(data: string) {
    this.data = data;
  }

  get json(): unknown {
    if (this.#json === NOT_READ) {
      try {
        this.#json = JSON.parse(this.data);
      } catch {
        this.#json = undefined;
      }
    }
    return this.#json;
  }

  get usage(): TokenUsage | undefined {
    return this.#reading()?.usage;
  }

  get usageOnly(): boolean {
    return this.#reading()?.usageOnly ?? false;
  }

  #reading(): UsageReading | undefined {
    if (this.#usage === NOT_READ) this.#usage = readUsage(this.data);
    return this.#usage;
  }
}

/**
 * A read's events as the client-ready bytes the reader produced, with the events themselves split out of those
 * bytes only when asked. The bytes are always `data:` lines and blank lines, so splitting them needs no SSE parser.
 */
export class ChatSseRead implements ChatStreamRead {
  readonly bytes: string | Uint8Array;
  readonly #withoutUsageOnly: string | Uint8Array | (() => string | Uint8Array);
  #events: readonly ChatStreamEvent[] | undefined;

  /** `withoutUsageOnly` is the same value as `bytes` when the read holds no usage-only frame. */
  constructor(bytes: string | Uint8Array, withoutUsageOnly: string | Uint8Array | (() => string | Uint8Array)) {
    this.bytes = bytes;
    this.#withoutUsageOnly = withoutUsageOnly;
  }

  withoutUsageOnly(): string | Uint8Array {
    const value = this.#withoutUsageOnly;
    return typeof value === 'function' ? value() : value;
  }

  get events(): readonly ChatStreamEvent[] {
    return (this.#events ??= splitDataEvents(typeof this.bytes === 'string' ? this.bytes : Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength).toString('utf8')));
  }
}

/** The events of normalised SSE text (`data:` lines, events ended by a blank line). */
function splitDataEvents(text: string): readonly ChatStreamEvent[] {
  if (text.length === 0) return NO_EVENTS;
  const events: ChatStreamEvent[] = [];
  let data: string | undefined;
  for (const line of text.split('\n')) {
    if (line.length === 0) {
      if (data !== undefined) events.push(new LazyChatStreamEvent(data));
      data = undefined;
      continue;
    }
    // Only `data:` lines are ever present.
    const value = sseDataLineValue(line);
    data = data === undefined ? value : `${data}\n${value}`;
  }
  if (data !== undefined) events.push(new LazyChatStreamEvent(data));
  return events;
}
