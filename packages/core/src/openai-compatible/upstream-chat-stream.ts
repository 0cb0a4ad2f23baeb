import type { CancelSignal } from '../cancellation.js';
import type { ChatCompletionStream, ChatStreamRead } from '../connector.js';
import { mapTransportError } from '../errors/map-transport-error.js';
import { ProxyError } from '../errors/proxy-error.js';
import type { UpstreamResponse } from '../http/upstream-response.js';
import { StreamUsageTracker } from '../usage/stream-usage-tracker.js';
import type { TokenUsage } from '../usage/token-usage.js';
import { ChatSseReader } from './chat-sse-reader.js';
import { firstEventMentionsError, upstreamStreamError } from './upstream-stream-error.js';

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
  #reads: UpstreamReads | undefined;
  #claimed = false;
  /** The reads' reader: `[DONE]` read is its `done`. */
  readonly #reader: ChatSseReader;
  #finished = false;
  /** cancel() has run: the response was aborted or handed to discard(). */
  #released = false;

  constructor(response: UpstreamResponse, context: StreamContext) {
    this.#response = response;
    this.#context = context;
    this.#reader = new ChatSseReader(this.#tracker, context.backend);
  }

  get usage(): TokenUsage | undefined {
    return this.#tracker.usage;
  }

  get sawDone(): boolean {
    return this.#reader.done;
  }

  /** Stops the upstream response: aborts it mid-stream, or lets a finished one hand its socket back. */
  cancel(): void {
    if (this.#released) return;
    this.#released = true;
    if (this.#finished) this.#response.discard(MAX_TRAILING_BYTES);
    else this.#response.abort(new DOMException('The stream was cancelled', 'AbortError'));
  }

  /**
   * Waits for the upstream's first read and checks it, so that what the client will get is known before anything
   * is committed to it: rejects (and releases the response) when the body ends or fails before its first event,
   * does not begin as an event stream, or opens with an error event (vLLM's `{"error":…}`), each as the ProxyError
   * a client should get with its status. The read is kept for the iteration.
   */
  async opened(): Promise<void> {
    const reads = this.#readsOnce();
    const first = await reads.peek();
    if (first === undefined || !firstEventMentionsError(first.bytes)) return;
    const failure = upstreamStreamError(first.events[0]?.json ?? {}, this.#context.backend);
    if (failure === undefined) return;
    this.cancel();
    throw failure;
  }

  [Symbol.asyncIterator](): AsyncIterator<ChatStreamRead> {
    if (this.#claimed) throw new Error('A chat completion stream can be consumed only once');
    this.#claimed = true;
    return this.#readsOnce();
  }

  #readsOnce(): UpstreamReads {
    return (this.#reads ??= new UpstreamReads(this.#response, this.#reader, {
      finished: () => {
        this.#finished = true;
      },
      release: () => this.cancel(),
      mapError: (error) => this.#mapError(error),
      truncated: () => truncated(this.#context.backend),
    }));
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

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/** What the reads tell their stream. */
interface ReadsOwner {
  /** The body was read to its end or to `[DONE]`. */
  finished(): void;
  /** Aborts the response, or lets a finished one hand its socket back (the stream's cancel). */
  release(): void;
  mapError(error: unknown): ProxyError;
  truncated(): ProxyError;
}

/**
 * The reads of one upstream body, as an async iterator written out rather than an async generator: a read that is
 * already queued is answered with a settled promise, where a generator resumes its frame and settles a promise of
 * its own per read. Every way out — `[DONE]`, the end of the body, a failure, the consumer's `return()` (a
 * `break` in `for await`) — releases the response once.
 */
class UpstreamReads implements AsyncIterator<ChatStreamRead> {
  readonly #response: UpstreamResponse;
  readonly #reader: ChatSseReader;
  readonly #owner: ReadsOwner;
  readonly #queue: Buffer[] = [];
  #ended = false;
  #failure: Error | undefined;
  /** A next() waiting for the upstream: called when a chunk, the end or a failure arrives. */
  #wake: (() => void) | undefined;
  /** The body's end was handled (its last read handed out): what is left is the truncation check. */
  #drained = false;
  #closed = false;
  /** A result read ahead by peek(), handed out by the next next(). */
  #peeked: IteratorResult<ChatStreamRead> | undefined;
  /** The last read handed out (a reference): a body that stops after an error event ended with it, not cut. */
  #lastRead: ChatStreamRead | undefined;

  constructor(response: UpstreamResponse, reader: ChatSseReader, owner: ReadsOwner) {
    this.#response = response;
    this.#reader = reader;
    this.#owner = owner;
    response.consume({
      data: (chunk) => {
        this.#queue.push(chunk);
        if (this.#queue.length >= MAX_QUEUED_CHUNKS) response.pause();
        this.#wake?.();
      },
      end: () => {
        this.#ended = true;
        this.#wake?.();
      },
      error: (error) => {
        this.#failure = error;
        this.#wake?.();
      },
    });
  }

  /** Reads the first result ahead (undefined when the stream has none): the next next() hands it out. */
  async peek(): Promise<ChatStreamRead | undefined> {
    const result = await this.next();
    this.#peeked = result;
    return result.done ? undefined : result.value;
  }

  next(): Promise<IteratorResult<ChatStreamRead>> {
    const peeked = this.#peeked;
    if (peeked !== undefined) {
      this.#peeked = undefined;
      return Promise.resolve(peeked);
    }
    try {
      const result = this.#step();
      return result === undefined ? new Promise((resolve) => (this.#wake = () => this.#resume(resolve))) : Promise.resolve(result);
    } catch (error) {
      this.#close();
      return Promise.reject(error);
    }
  }

  return(): Promise<IteratorResult<ChatStreamRead>> {
    this.#close();
    return Promise.resolve(DONE);
  }

  /**
   * A next() that waited: the upstream said something. It goes on in a microtask, not inside undici's callback, so
   * pausing or resuming the response never happens in the middle of undici delivering a chunk.
   */
  #resume(resolve: (result: Promise<IteratorResult<ChatStreamRead>>) => void): void {
    this.#wake = undefined;
    queueMicrotask(() => resolve(this.next()));
  }

  /** The next result, or undefined when the upstream has to be waited for. Throws the stream's failure. */
  #step(): IteratorResult<ChatStreamRead> | undefined {
    if (this.#closed) return DONE;
    const reader = this.#reader;
    for (;;) {
      if (this.#drained) {
        this.#close();
        // A body that just stopped, with neither `[DONE]` nor a finish_reason, is a cut answer: said so, so that no
        // client takes it for a whole one.
        if (!reader.done && !reader.sawFinishReason && !this.#endedWithError()) throw this.#owner.truncated();
        return DONE;
      }
      const chunk = this.#queue.shift();
      if (chunk === undefined) {
        if (this.#failure) throw this.#owner.mapError(this.#failure);
        if (!this.#ended) return undefined;
        this.#drained = true;
        this.#owner.finished();
        const last = reader.end();
        if (last) return { done: false, value: (this.#lastRead = last) };
        continue;
      }
      if (this.#queue.length === 0) this.#response.resume();
      let read;
      try {
        read = reader.push(chunk);
      } catch (error) {
        throw this.#owner.mapError(error);
      }
      if (reader.done) {
        // [DONE] was read: what follows is at most the end of the chunked body, read out so the socket is reused.
        this.#owner.finished();
        this.#close();
        return read ? { done: false, value: read } : DONE;
      }
      if (read) return { done: false, value: (this.#lastRead = read) };
    }
  }

  /**
   * Whether the body's last event reported an error (vLLM's `data: {"error":…}` when generation fails after the
   * 200): the upstream ended the stream with its reason, which the front end already passed on, and a truncation
   * error after it would be a second error event. Looked at once, only for a body without `[DONE]` or finish_reason.
   */
  #endedWithError(): boolean {
    const last = this.#lastRead?.events.at(-1)?.json;
    return typeof last === 'object' && last !== null && upstreamStreamError(last, '') !== undefined;
  }

  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#owner.release();
  }
}
