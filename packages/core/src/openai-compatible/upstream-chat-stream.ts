import type { CancelSignal } from '../cancellation.js';
import type { ChatCompletionStream, ChatStreamEvent, ForwardOptions } from '../connector.js';
import { mapTransportError } from '../errors/map-transport-error.js';
import type { ProxyError } from '../errors/proxy-error.js';
import type { UpstreamResponse } from '../http/upstream-response.js';
import { parseSseBatches } from '../sse/parse-sse.js';
import { DONE_DATA } from '../sse/sse-event.js';
import { StreamUsageTracker } from '../usage/stream-usage-tracker.js';
import type { TokenUsage } from '../usage/token-usage.js';
import { ChatSseReframer } from './chat-sse-reframer.js';
import { readChatEvent } from './read-chat-event.js';

/** Bytes read past `[DONE]` to let the socket be reused; an upstream that keeps talking beyond it is cut off. */
const MAX_TRAILING_BYTES = 64 * 1024;
/** Chunks an iterating consumer may fall behind by before the upstream is paused. */
const MAX_QUEUED_CHUNKS = 16;

interface StreamContext {
  backend: string;
  url: string;
  signal: CancelSignal | undefined;
}

/**
 * An upstream SSE body. `forward()` relays it as client-ready bytes (the fast path the server uses); iterating it
 * gives ChatStreamEvents. Only events that mention usage are parsed; the rest pass as text.
 */
export class UpstreamChatStream implements ChatCompletionStream {
  readonly #response: UpstreamResponse;
  readonly #context: StreamContext;
  readonly #tracker = new StreamUsageTracker();
  #claimed = false;
  #finished = false;
  /** cancel() has run: the response was aborted or handed to discard(). */
  #released = false;

  constructor(response: UpstreamResponse, context: StreamContext) {
    this.#response = response;
    this.#context = context;
  }

  get usage(): TokenUsage | undefined {
    return this.#tracker.usage;
  }

  /** Stops the upstream response: aborts it mid-stream, or lets a finished one hand its socket back. */
  cancel(): void {
    if (this.#released) return;
    this.#released = true;
    if (this.#finished) this.#response.discard(MAX_TRAILING_BYTES);
    else this.#response.abort(new DOMException('The stream was cancelled', 'AbortError'));
  }

  forward(write: (chunk: string | Uint8Array) => boolean, options: ForwardOptions): Promise<string | Uint8Array> {
    this.#claim();
    const reframer = new ChatSseReframer({ includeUsage: options.includeUsage, tracker: this.#tracker });
    return new Promise((resolve, reject) => {
      this.#response.consume({
        data: (chunk) => {
          const out = reframer.push(chunk);
          if (reframer.done) {
            // The events before [DONE] leave with it, in the caller's final write.
            this.#finish();
            resolve(out);
          } else if (out.length > 0 && !write(out)) {
            this.#response.pause();
          }
        },
        end: () => {
          this.#finished = true;
          resolve(reframer.end());
        },
        error: (error) => reject(this.#mapError(error)),
      });
    });
  }

  resume(): void {
    this.#response.resume();
  }

  [Symbol.asyncIterator](): AsyncIterator<ChatStreamEvent> {
    this.#claim();
    return this.#events();
  }

  batches(): AsyncIterable<readonly ChatStreamEvent[]> {
    this.#claim();
    return this.#batches();
  }

  #claim(): void {
    if (this.#claimed) throw new Error('A chat completion stream can be consumed only once');
    this.#claimed = true;
  }

  /** [DONE] was read: what follows is at most the end of the chunked body, read out so the socket is reused. */
  #finish(): void {
    this.#finished = true;
    this.cancel();
  }

  #mapError(error: unknown): ProxyError {
    return mapTransportError(error, {
      backend: this.#context.backend,
      url: this.#context.url,
      aborted: this.#context.signal?.aborted ?? false,
      responseStarted: true,
    });
  }

  async *#events(): AsyncGenerator<ChatStreamEvent> {
    for await (const batch of this.#batches()) yield* batch;
  }

  /** One array per upstream read; the array holding `[DONE]` ends with it, and nothing is read after it. */
  async *#batches(): AsyncGenerator<ChatStreamEvent[]> {
    try {
      for await (const events of parseSseBatches(this.#chunks())) {
        const batch: ChatStreamEvent[] = [];
        for (const event of events) {
          if (event.data === DONE_DATA) {
            batch.push({ ...event, done: true });
            this.#finish();
            yield batch;
            return;
          }
          const read = readChatEvent(event);
          this.#tracker.observe(read.usage);
          batch.push(read);
        }
        yield batch;
      }
      this.#finished = true;
    } catch (error) {
      throw this.#mapError(error);
    } finally {
      this.cancel();
    }
  }

  /** The body's chunks, pulled: the upstream is paused while the consumer lags. */
  async *#chunks(): AsyncGenerator<Buffer> {
    const queue: Buffer[] = [];
    let ended = false;
    let failure: Error | undefined;
    let wake: (() => void) | undefined;
    this.#response.consume({
      data: (chunk) => {
        queue.push(chunk);
        if (queue.length >= MAX_QUEUED_CHUNKS) this.#response.pause();
        wake?.();
      },
      end: () => {
        ended = true;
        wake?.();
      },
      error: (error) => {
        failure = error;
        wake?.();
      },
    });
    for (;;) {
      const chunk = queue.shift();
      if (chunk) {
        if (queue.length === 0) this.#response.resume();
        yield chunk;
        continue;
      }
      if (failure) throw failure;
      if (ended) return;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
  }
}
