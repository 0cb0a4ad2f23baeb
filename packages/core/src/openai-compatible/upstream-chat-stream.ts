import type { Dispatcher } from 'undici';
import type { ChatCompletionStream, ChatStreamEvent } from '../connector.js';
import { mapTransportError } from '../errors/map-transport-error.js';
import { parseSseBatches } from '../sse/parse-sse.js';
import { DONE_DATA, type SseEvent } from '../sse/sse-event.js';
import { StreamUsageTracker } from '../usage/stream-usage-tracker.js';
import { extractUsage, type TokenUsage } from '../usage/token-usage.js';

/** Bytes read past `[DONE]` to let the socket be reused; an upstream that keeps talking beyond it is cut off. */
const MAX_TRAILING_BYTES = 64 * 1024;

interface StreamContext {
  backend: string;
  url: string;
  signal: AbortSignal | undefined;
}

/** An upstream SSE body as ChatStreamEvents. Only events that mention usage are parsed; the rest pass as text. */
export class UpstreamChatStream implements ChatCompletionStream {
  readonly #body: Dispatcher.ResponseData['body'];
  readonly #context: StreamContext;
  readonly #tracker = new StreamUsageTracker();
  #iterated = false;
  #finishedCleanly = false;
  #released = false;

  constructor(body: Dispatcher.ResponseData['body'], context: StreamContext) {
    this.#body = body;
    this.#context = context;
  }

  get usage(): TokenUsage | undefined {
    return this.#tracker.usage;
  }

  /** Stops the upstream response: destroys it mid-stream, or lets a finished one hand its socket back. */
  cancel(): void {
    if (this.#finishedCleanly) this.#release();
    else if (!this.#body.destroyed) this.#body.destroy();
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
    if (this.#iterated) throw new Error('A chat completion stream can be iterated only once');
    this.#iterated = true;
  }

  async *#events(): AsyncGenerator<ChatStreamEvent> {
    for await (const batch of this.#batches()) yield* batch;
  }

  /** One array per upstream read; the array holding `[DONE]` ends with it, and nothing is read after it. */
  async *#batches(): AsyncGenerator<ChatStreamEvent[]> {
    try {
      // Leaving the loop at [DONE] must not destroy the body (a for-await over a Readable would, building an
      // AbortError with its stack trace each time): release() reads out its end and the socket is reused.
      for await (const events of parseSseBatches(this.#body.iterator({ destroyOnReturn: false }))) {
        const batch: ChatStreamEvent[] = [];
        for (const event of events) {
          if (event.data === DONE_DATA) {
            batch.push({ ...event, done: true });
            // What follows [DONE] is at most the end of the chunked body: reading it out, instead of destroying
            // the body, hands the socket back to the pool for the next request.
            this.#finishedCleanly = true;
            yield batch;
            return;
          }
          batch.push(this.#read(event));
        }
        yield batch;
      }
    } catch (error) {
      throw mapTransportError(error, {
        backend: this.#context.backend,
        url: this.#context.url,
        aborted: this.#context.signal?.aborted ?? false,
        responseStarted: true,
      });
    } finally {
      this.cancel();
    }
  }

  #release(): void {
    if (this.#released || this.#body.destroyed) return;
    this.#released = true;
    this.#body.dump({ limit: MAX_TRAILING_BYTES }).catch(() => undefined);
  }

  #read(event: SseEvent): ChatStreamEvent {
    // A cheap substring test spares JSON.parse for the many content chunks that carry no usage.
    if (!event.data.includes('"usage"')) return { ...event, done: false };
    let chunk: unknown;
    try {
      chunk = JSON.parse(event.data);
    } catch {
      return { ...event, done: false };
    }
    const record = (typeof chunk === 'object' && chunk !== null ? chunk : {}) as Record<string, unknown>;
    const usage = extractUsage(record.usage);
    this.#tracker.observe(usage);
    const choices = record.choices;
    const usageOnly = usage !== undefined && (!Array.isArray(choices) || choices.length === 0);
    return { ...event, done: false, usage, usageOnly };
  }
}
