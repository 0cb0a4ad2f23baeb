import type { Dispatcher } from 'undici';
import type { ChatCompletionStream, ChatStreamEvent } from '../connector.js';
import { mapTransportError } from '../errors/map-transport-error.js';
import { parseSseBatches } from '../sse/parse-sse.js';
import { DONE_DATA, type SseEvent } from '../sse/sse-event.js';
import { StreamUsageTracker } from '../usage/stream-usage-tracker.js';
import { extractUsage, type TokenUsage } from '../usage/token-usage.js';

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

  constructor(body: Dispatcher.ResponseData['body'], context: StreamContext) {
    this.#body = body;
    this.#context = context;
  }

  get usage(): TokenUsage | undefined {
    return this.#tracker.usage;
  }

  cancel(): void {
    if (!this.#body.destroyed) this.#body.destroy();
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
      for await (const events of parseSseBatches(this.#body)) {
        const batch: ChatStreamEvent[] = [];
        for (const event of events) {
          if (event.data === DONE_DATA) {
            batch.push({ ...event, done: true });
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
