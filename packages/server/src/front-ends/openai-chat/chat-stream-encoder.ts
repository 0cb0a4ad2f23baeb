import { formatSseData, SSE_DONE, sseDataLineValue, upstreamStreamError, type ChatStreamRead, type ProxyError } from '@proxy/core';
import type { KeepaliveFormat } from '../../config/config-schema.js';
import type { StreamEncoder } from '../../exchange/front-end.js';
import { buildKeepaliveFrame } from './keepalive-frame.js';
import type { ChunkToolMarkup } from '../tool-markup/chunk-tool-markup.js';
import { fixChunkToolCallIds, hasNonStringId, mentionsToolCalls, ResponseIds } from './response-ids.js';

const SSE_DONE_BYTES = Buffer.from(SSE_DONE);
const EVENT_END = '\n\n';

export interface ChatStreamEncoderOptions {
  /** The client asked for `stream_options.include_usage`: usage-only frames are kept. */
  includeUsage: boolean;
  keepaliveFormat: KeepaliveFormat;
  /** The request's id: made-up ids (`chatcmpl-…`, `call_…`) are made from it. */
  requestId: string;
  /** The backend's name, for the failure an error event of its stream is recorded as. */
  backend?: string | undefined;
  /** The model sent upstream, which NIM echoes: a keep-alive before NIM's first chunk names it. */
  upstreamModel: string;
  /** Unix seconds: the `created` of a keep-alive sent before NIM's first chunk. */
  created: number;
  /**
   * For a model that may write its tool calls as markup in its text: the reader of that markup, given the
   * response's ids. Every chunk is then parsed and re-serialised, since a tag arrives cut across many deltas.
   */
  toolMarkup?: ((ids: ResponseIds) => ChunkToolMarkup) | undefined;
}

/** What names a response: every frame of the stream carries these. */
interface StreamHead {
  id: string;
  model: string;
  created: number;
}

/**
 * Chat to chat: the upstream's bytes go to the client as they came (no JSON work), usage-only frames only to a
 * client that asked for `include_usage`, `[DONE]` last on success. A failure becomes an OpenAI error event
 * (`data: {"error":{…}}`), which the openai SDK throws as an APIError; no `[DONE]` follows it, so no client can
 * take a failed completion for a finished one.
 *
 * One id and one model per response, all strings: clients such as the Vercel AI SDK take both from the first
 * frame and refuse a chunk whose id is not a string. The first frame sent names the response:
 * - usually NIM's first chunk: its id (a made-up `chatcmpl-<request id>` when NIM sent a number or `null`), its
 *   model. Its bytes are kept, not parsed; they are read only if a later keep-alive or rewrite needs them.
 * - a keep-alive, when NIM was silent before its first chunk (`openai` format): `chatcmpl-<request id>` and the
 *   upstream model, and NIM's chunks are then rewritten to carry them. Only such slow streams pay for parsing.
 * Otherwise every read is rewritten (parsed, re-serialised) when the first chunk's id is not a string (NIM then
 * sends such ids in every chunk), and a read that mentions `tool_calls` when one of its ids is not a string; other
 * reads cost one `indexOf` (`mentionsToolCalls`) and are written as they came.
 */
export class ChatStreamEncoder implements StreamEncoder {
  readonly #options: ChatStreamEncoderOptions;
  readonly #ids: ResponseIds;
  /** The first event sent (its `data:` lines), until something needs the head it names. */
  #firstEvent: string | undefined;
  #head: StreamHead | undefined;
  /** Every chunk is rewritten: a keep-alive named the response, or NIM's first chunk had an id that is not a string. */
  #rewriteAll = false;
  /** A keep-alive named the response: chunks carry its `created` too. */
  #namedByKeepalive = false;
  #keepaliveFrame: string | undefined;
  readonly #markup: ChunkToolMarkup | undefined;
  /** The last bytes written for a read (a reference, not a copy): a failed generation's error event ends them. */
  #lastWritten: string | Uint8Array | undefined;
  failure: ProxyError | undefined;

  constructor(options: ChatStreamEncoderOptions) {
    this.#options = options;
    this.#ids = new ResponseIds(options.requestId);
    this.#markup = options.toolMarkup?.(this.#ids);
    if (this.#markup) this.#rewriteAll = true;
  }

  start(): string {
    return '';
  }

  read(read: ChatStreamRead): string | Uint8Array {
    const bytes = this.#options.includeUsage ? read.bytes : read.withoutUsageOnly();
    if (bytes.length === 0) return bytes;
    if (this.#head === undefined && this.#firstEvent === undefined) {
      // NIM's first chunk: its id says, once per stream, whether NIM sends ids that are not strings.
      const first = firstEventOf(bytes);
      if (hasNonStringId(first)) this.#rewriteAll = true;
      this.#firstEvent = typeof first === 'string' ? first : first.toString('utf8');
    }
    return (this.#lastWritten = this.#rewriteAll || (mentionsToolCalls(bytes) && hasNonStringId(bytes)) ? this.#rewrite(read) : bytes);
  }

  keepalive(): string {
    if (this.#keepaliveFrame !== undefined) return this.#keepaliveFrame;
    const format = this.#options.keepaliveFormat;
    if (format === 'comment') return (this.#keepaliveFrame = buildKeepaliveFrame({ format, id: '', model: '', created: 0 }));
    if (this.#head === undefined && this.#firstEvent === undefined) {
      // Nothing of NIM's has been sent: this frame names the response, and NIM's chunks follow it.
      this.#head = { id: this.#ids.completion(undefined), model: this.#options.upstreamModel, created: this.#options.created };
      this.#rewriteAll = true;
      this.#namedByKeepalive = true;
    }
    return (this.#keepaliveFrame = buildKeepaliveFrame({ format, ...this.#streamHead() }));
  }

  /**
   * `[DONE]`, unless NIM's last event was an error: vLLM-based builds end a generation that failed after the 200
   * with `data: {"error":…}` and then `[DONE]`. The client has its error event (the openai SDK throws it); no
   * `[DONE]` follows, as after the proxy's own error frames, and the request is recorded as failed. Only the last
   * event is looked at, once per stream: reads cost nothing more.
   */
  end(): string | Uint8Array {
    const last = this.#lastWritten === undefined ? undefined : lastEventOf(this.#lastWritten);
    if (last !== undefined && last.includes('"error"')) {
      const chunk = parseObject(dataOf(last));
      this.failure = chunk && upstreamStreamError(chunk, this.#options.backend ?? 'upstream');
      if (this.failure) return '';
    }
    return SSE_DONE_BYTES;
  }

  error(error: ProxyError): string {
    return formatSseData(JSON.stringify(error.toBody()));
  }

  /** The response's id, model and created, read from the first event sent on first need. */
  #streamHead(): StreamHead {
    if (this.#head) return this.#head;
    const chunk = parseObject(dataOf(this.#firstEvent ?? ''));
    this.#firstEvent = undefined;
    return (this.#head = {
      id: this.#ids.completion(chunk?.id),
      model: typeof chunk?.model === 'string' ? chunk.model : this.#options.upstreamModel,
      created: typeof chunk?.created === 'number' ? chunk.created : this.#options.created,
    });
  }

  /** The read's events, each parsed and re-serialised with the response's id and model and string tool-call ids. */
  #rewrite(read: ChatStreamRead): string {
    const head = this.#streamHead();
    let out = '';
    for (const event of read.events) {
      if (!this.#options.includeUsage && event.usageOnly) continue;
      const chunk = event.json;
      if (typeof chunk !== 'object' || chunk === null || Array.isArray(chunk)) {
        out += formatSseData(event.data);
        continue;
      }
      const fixed = chunk as Record<string, unknown>;
      fixed.id = head.id;
      fixed.model = head.model;
      if (this.#namedByKeepalive) fixed.created = head.created;
      this.#markup?.rewrite(fixed);
      fixChunkToolCallIds(fixed, this.#ids);
      out += formatSseData(JSON.stringify(fixed));
    }
    return out;
  }
}

/** The first event of client-ready SSE bytes (`data:` lines only): a view of the bytes, not a copy. */
function firstEventOf(bytes: string | Uint8Array): string | Buffer {
  const text = typeof bytes === 'string' || Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = text.indexOf(EVENT_END);
  if (end === -1) return text;
  return typeof text === 'string' ? text.slice(0, end) : text.subarray(0, end);
}

/** The last event of client-ready SSE bytes, as text: the bytes end with the blank line that ends it. */
function lastEventOf(bytes: string | Uint8Array): string {
  const text = typeof bytes === 'string' ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = text.length - EVENT_END.length;
  const before = end > 0 ? text.lastIndexOf(EVENT_END, end - 1) : -1;
  const start = before === -1 ? 0 : before + EVENT_END.length;
  return typeof text === 'string' ? text.slice(start, end) : text.toString('utf8', start, end);
}

/** The `data` of one event's `data:` lines. */
function dataOf(event: string): string {
  return event.split('\n').map(sseDataLineValue).join('\n');
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
