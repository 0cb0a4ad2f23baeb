import type { Dispatcher } from 'undici';
import type { ChatCompletionStream, ChatStreamEvent } from '../connector.js';
import { mapTransportError } from '../errors/map-transport-error.js';
import { parseSse } from '../sse/parse-sse.js';
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
    if (this.#iterated) throw new Error('A chat completion stream can be iterated only once');
    this.#iterated = true;
    return this.#events();
  }

  async *#events(): AsyncGenerator<ChatStreamEvent> {
    try {
      for await (const event of parseSse(this.#body)) {
        if (event.data === DONE_DATA) {
          yield { ...event, done: true };
          return;
        }
        yield this.#read(event);
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
