import type { CancelSignal } from '../cancellation.js';
import type { ChatCompletionStream, ChatStreamRead } from '../connector.js';
import { mapTransportError } from '../errors/map-transport-error.js';
import { ProxyError } from '../errors/proxy-error.js';
import type { UpstreamResponse } from '../http/upstream-response.js';
import { StreamUsageTracker } from '../usage/stream-usage-tracker.js';
import type { TokenUsage } from '../usage/token-usage.js';
import { ChatSseReader } from './chat-sse-reader.js';

function truncated(backend: string): ProxyError {
  return new ProxyError({
    status: 502,
    code: 'upstream_stream_truncated',
    isRetryable: false,
    message: `The ${backend} upstream ended the stream before the answer was finished (no finish_reason, no [DONE])`,
  });
}

/** Bytes read past `[DONE]` to let the socket be reused; an upstream that keeps talking beyond it is cut off. */
const MAX_TRAILING_BYTES = 64 * 1024;
/** Reads a consumer may fall behind by before the upstream is paused. */
const MAX_QUEUED_CHUNKS = 16;

interface StreamContext {
  backend: string;
  url: string;
  signal: CancelSignal | undefined;
}

/**
 * An upstream SSE body read as ChatStreamReads. The body is pushed by undici and pulled by the consumer: reads
 * queue up to a small bound, past which the upstream is paused until the consumer catches up, so a slow client
 * slows the upstream instead of growing memory.
 */
export class UpstreamChatStream implements ChatCompletionStream {
  readonly #response: UpstreamResponse;
  readonly #context: StreamContext;
  readonly #tracker = new StreamUsageTracker();
  #claimed = false;
  #finished = false;
  #sawDone = false;
  /** cancel() has run: the response was aborted or handed to discard(). */
  #released = false;

  constructor(response: UpstreamResponse, context: StreamContext) {
    this.#response = response;
    this.#context = context;
  }

  get usage(): TokenUsage | undefined {
    return this.#tracker.usage;
  }

  get sawDone(): boolean {
    return this.#sawDone;
  }

  /** Stops the upstream response: aborts it mid-stream, or lets a finished one hand its socket back. */
  cancel(): void {
    if (this.#released) return;
    this.#released = true;
    if (this.#finished) this.#response.discard(MAX_TRAILING_BYTES);
    else this.#response.abort(new DOMException('The stream was cancelled', 'AbortError'));
  }

  [Symbol.asyncIterator](): AsyncIterator<ChatStreamRead> {
    if (this.#claimed) throw new Error('A chat completion stream can be consumed only once');
    this.#claimed = true;
    return this.#reads();
  }

  async *#reads(): AsyncGenerator<ChatStreamRead> {
    const reader = new ChatSseReader(this.#tracker, this.#context.backend);
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
    try {
      for (;;) {
        const chunk = queue.shift();
        if (chunk === undefined) {
          if (failure) throw this.#mapError(failure);
          if (ended) break;
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
          continue;
        }
        if (queue.length === 0) this.#response.resume();
        let read;
        try {
          read = reader.push(chunk);
        } catch (error) {
          throw this.#mapError(error);
        }
        if (reader.done) {
          this.#finish();
          if (read) yield read;
          return;
        }
        if (read) yield read;
      }
      this.#finished = true;
      const last = reader.end();
      this.#sawDone = reader.done;
      if (last) yield last;
      // A body that just stopped, with neither `[DONE]` nor a finish_reason, is a cut answer: said so, so that no
      // client takes it for a whole one.
      if (!reader.done && !reader.sawFinishReason) throw truncated(this.#context.backend);
    } finally {
      this.cancel();
    }
  }

  /** [DONE] was read: what follows is at most the end of the chunked body, read out so the socket is reused. */
  #finish(): void {
    this.#finished = true;
    this.#sawDone = true;
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
}
