import type { IncomingHttpHeaders } from 'node:http';
import { util, type Dispatcher } from 'undici';
import type { CancelSignal } from '../cancellation.js';

/** What an upstream call sends; timeouts in ms, as undici takes them. */
export interface UpstreamRequest {
  origin: string;
  path: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string | undefined;
  headersTimeout: number;
  bodyTimeout: number;
  /** Aborts the call at any stage; the promise or the body consumer then fails with an `AbortError`. */
  signal?: CancelSignal | undefined;
}

/** Receives a response body as undici reads it: no stream objects, no per-chunk promises. */
export interface BodyConsumer {
  data(chunk: Buffer): void;
  end(): void;
  error(error: Error): void;
}

/** Chunks buffered before a consumer is attached pause the upstream beyond this, so nothing grows unbounded. */
const MAX_UNCONSUMED_BYTES = 256 * 1024;

/**
 * Sends a request through undici's `dispatch` and resolves once the status and headers arrive. The body is then
 * pushed to one consumer (`consume`, `text`, `discard`); this costs far less per request than `request()`, whose
 * body is a Readable stream with an async-resource handler, and it is the only way to learn how many bytes one
 * socket read brought, which the SSE relay uses to forward a read with one write.
 */
export function dispatchUpstream(dispatcher: Dispatcher, request: UpstreamRequest): Promise<UpstreamResponse> {
  return new Promise((resolve, reject) => {
    const response = new UpstreamResponse(request.signal, resolve, reject);
    if (request.signal?.aborted) return response.abort(abortError());
    dispatcher.dispatch(
      {
        origin: request.origin,
        path: request.path,
        method: request.method,
        headers: request.headers,
        body: request.body ?? null,
        headersTimeout: request.headersTimeout,
        bodyTimeout: request.bodyTimeout,
      },
      response,
    );
  });
}

/**
 * One upstream exchange: undici's handler for it, and, once headers arrived, the response the caller reads.
 *
 * It implements undici's original handler hooks (`onConnect`, `onHeaders`, `onData`, …), which undici 7 still
 * drives internally: a handler with the newer `onRequestStart` hooks is wrapped per request in an adapter that
 * builds a controller and parses every header into an object, work a completion does not need. The headers are
 * parsed only if something reads them (an error's `retry-after`).
 */
export class UpstreamResponse implements Dispatcher.DispatchHandler {
  statusCode = 0;
  #rawHeaders: Buffer[] | undefined;
  #headers: IncomingHttpHeaders | undefined;
  #signal: CancelSignal | undefined;
  #resolve: ((response: UpstreamResponse) => void) | undefined;
  #reject: ((error: Error) => void) | undefined;
  /** From undici once the request is on a connection: cancels it there. */
  #abortRequest: ((reason: Error) => void) | undefined;
  /** From undici with the headers: reading restarts after a pause. */
  #resumeReading: (() => void) | undefined;
  #paused = false;
  #consumer: BodyConsumer | undefined;
  #queued: Buffer[] = [];
  #queuedBytes = 0;
  #state: 'open' | 'ended' | 'failed' = 'open';
  #failure: Error | undefined;
  /** Set by abort(): the reason wins over whatever error undici reports for it. */
  #abortReason: Error | undefined;

  constructor(signal: CancelSignal | undefined, resolve: (response: UpstreamResponse) => void, reject: (error: Error) => void) {
    this.#resolve = resolve;
    this.#reject = reject;
    if (signal && !signal.aborted) {
      this.#signal = signal;
      signal.addEventListener('abort', this.#onAbort);
    }
  }

  /** The response headers, names in lower case. */
  get headers(): IncomingHttpHeaders {
    return (this.#headers ??= this.#rawHeaders ? (util.parseHeaders(this.#rawHeaders) as IncomingHttpHeaders) : {});
  }

  /** The body so far and from now on goes to `consumer`; only one consumer per response. */
  consume(consumer: BodyConsumer): void {
    if (this.#consumer) throw new Error('An upstream response body can be consumed only once');
    this.#consumer = consumer;
    const queued = this.#queued;
    this.#queued = [];
    this.#queuedBytes = 0;
    // A consumer may hand the body on (discard() after [DONE]) while it is fed: the current one hears the end.
    for (const chunk of queued) this.#consumer.data(chunk);
    if (this.#state === 'ended') this.#consumer.end();
    else if (this.#state === 'failed') this.#consumer.error(this.#failure!);
    else this.resume();
  }

  /** The whole body as UTF-8, or its first `limit` bytes (the rest is not read). */
  text(limit = Infinity): Promise<string> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const finish = () => {
        const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
        resolve((size > limit ? body.subarray(0, limit) : body).toString('utf8'));
      };
      this.consume({
        data: (chunk) => {
          if (size >= limit) return;
          chunks.push(chunk);
          size += chunk.length;
          if (size >= limit) {
            this.abort(abortError());
            finish();
          }
        },
        end: finish,
        error: (error) => (size >= limit ? undefined : reject(error)),
      });
    });
  }

  /**
   * Reads the rest of the body without keeping it, so a finished exchange hands its socket back to the pool;
   * an upstream that sends more than `limit` bytes is cut off instead.
   */
  discard(limit: number): void {
    let size = 0;
    const ignore = () => undefined;
    const consumer: BodyConsumer = {
      data: (chunk) => {
        size += chunk.length;
        if (size > limit) this.abort(abortError());
      },
      end: ignore,
      error: ignore,
    };
    if (this.#consumer) this.#consumer = consumer;
    else this.consume(consumer);
    this.resume();
  }

  /** Stops reading after the current chunk until resume(): back-pressure from a slow client. */
  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#resumeReading?.();
  }

  /** Ends the exchange now; a pending promise or the consumer fails with `reason`. */
  abort(reason: Error): void {
    if (this.#state !== 'open') return;
    this.#abortReason = reason;
    // Before undici put the request on a connection there is nothing to cancel yet: onConnect does it.
    this.#abortRequest?.(reason);
    this.#fail(reason);
  }

  onConnect(abort: (reason?: Error) => void): void {
    this.#abortRequest = abort;
    if (this.#abortReason) abort(this.#abortReason);
  }

  /** Returns false to pause reading, as undici's hooks do. */
  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    if (statusCode < 200 || this.#state !== 'open') return true; // 1xx: the real answer follows
    this.statusCode = statusCode;
    this.#rawHeaders = rawHeaders;
    this.#resumeReading = resume;
    const resolve = this.#resolve;
    this.#resolve = this.#reject = undefined;
    resolve?.(this);
    return !this.#paused;
  }

  onData(chunk: Buffer): boolean {
    if (this.#state !== 'open') return true;
    if (this.#consumer) {
      this.#consumer.data(chunk);
    } else {
      this.#queued.push(chunk);
      this.#queuedBytes += chunk.length;
      if (this.#queuedBytes > MAX_UNCONSUMED_BYTES) this.#paused = true;
    }
    return !this.#paused;
  }

  onComplete(): void {
    if (this.#state !== 'open') return;
    this.#state = 'ended';
    this.#detach();
    this.#consumer?.end();
  }

  onError(error: Error): void {
    this.#fail(this.#abortReason ?? error);
  }

  #fail(error: Error): void {
    if (this.#state !== 'open') return;
    this.#state = 'failed';
    this.#failure = error;
    this.#detach();
    if (this.#reject) {
      const reject = this.#reject;
      this.#resolve = this.#reject = undefined;
      reject(error);
    } else {
      this.#consumer?.error(error);
    }
  }

  #detach(): void {
    this.#signal?.removeEventListener('abort', this.#onAbort);
    this.#signal = undefined;
  }

  readonly #onAbort = (): void => {
    this.abort(abortError());
  };
}

/** What a cancelled exchange fails with; mapTransportError recognises it by name. */
function abortError(): Error {
  return new DOMException('The upstream request was aborted', 'AbortError');
}
