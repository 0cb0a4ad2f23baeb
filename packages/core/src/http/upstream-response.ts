import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';
import type { CancelSignal } from '../cancellation.js';

/** What an upstream call sends; timeouts in ms, as undici takes them. */
export interface UpstreamRequest {
  origin: string;
  path: string;
  method: 'GET' | 'POST';
  /** An object, or a flat `[name, value, name, value, …]` list as undici takes it (cheaper to extend per call). */
  headers: Record<string, string> | string[];
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
 * It implements undici's controller hooks (`onRequestStart`, `onResponseStart`, …), the handler API undici 7
 * documents and undici 8 drives natively; the deprecated `onConnect`/`onHeaders` hooks would only be wrapped in an
 * adapter there. Pausing, resuming and cancelling go through the controller undici hands over with the request.
 *
 * undici reads `controller.paused` only when a hook returns, so a pause set between chunks (from a timer, or by a
 * consumer fed the chunks queued before it came) stops reading only after one more chunk. That chunk is queued
 * here rather than handed on: after `pause()` the consumer gets no chunk until `resume()`, wherever the pause came
 * from, and a consumer that resumes while it is fed is not fed again from inside its own call.
 */
export class UpstreamResponse implements Dispatcher.DispatchHandler {
  statusCode = 0;
  #headers: IncomingHttpHeaders = NO_HEADERS;
  #signal: CancelSignal | undefined;
  #resolve: ((response: UpstreamResponse) => void) | undefined;
  #reject: ((error: Error) => void) | undefined;
  /** From undici once the request is on a connection: pauses, resumes and cancels it there. */
  #controller: Dispatcher.DispatchController | undefined;
  #consumer: BodyConsumer | undefined;
  /** Chunks not yet handed on: no consumer yet, or the caller paused. Always handed on before newer ones. */
  #queued: Buffer[] = [];
  #queuedBytes = 0;
  /** The caller's pause(), until its resume(). */
  #paused = false;
  /** #flush() is handing chunks on: a resume() from the consumer lets it go on rather than start another. */
  #flushing = false;
  #state: 'open' | 'ended' | 'failed' = 'open';
  /** The consumer has heard the end or the failure. */
  #settled = false;
  #failure: Error | undefined;
  /** Set by abort(): the reason wins over whatever error undici reports for it. */
  #abortReason: Error | undefined;
  /** Called once the exchange is over (see onDone). */
  #onDone: (() => void) | undefined;

  constructor(signal: CancelSignal | undefined, resolve: (response: UpstreamResponse) => void, reject: (error: Error) => void) {
    this.#resolve = resolve;
    this.#reject = reject;
    if (signal && !signal.aborted) {
      this.#signal = signal;
      signal.addEventListener('abort', this.#onAbort);
    }
  }

  /** The response headers, names in lower case, as undici parsed them for `onResponseStart`. */
  get headers(): IncomingHttpHeaders {
    return this.#headers;
  }

  /** The body so far and from now on goes to `consumer`; only one consumer per response. */
  consume(consumer: BodyConsumer): void {
    if (this.#consumer) throw new Error('An upstream response body can be consumed only once');
    this.#consumer = consumer;
    this.#flush();
  }

  /**
   * The whole body as UTF-8, refusing more than `limit` bytes: past it the exchange is aborted (the connection is
   * not read any further) and the promise rejects with an error whose `code` is `UPSTREAM_BODY_TOO_LARGE`, so a
   * body that never ends costs at most `limit` bytes of memory.
   */
  json(limit: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let refused = false;
      this.consume({
        data: (chunk) => {
          if (refused) return;
          size += chunk.length;
          if (size > limit) {
            refused = true;
            chunks.length = 0;
            const error = Object.assign(new Error(`The upstream body is larger than ${limit} bytes`), { code: 'UPSTREAM_BODY_TOO_LARGE', limit });
            this.abort(error);
            reject(error);
            return;
          }
          chunks.push(chunk);
        },
        end: () => resolve((chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString('utf8')),
        error: (error) => (refused ? undefined : reject(error)),
      });
    });
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

  /** No chunk reaches the consumer until resume(), and reading stops: back-pressure from a slow client. */
  pause(): void {
    this.#paused = true;
    this.#controller?.pause();
  }

  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    if (this.#consumer) this.#flush();
    else if (this.#queuedBytes <= MAX_UNCONSUMED_BYTES) this.#controller?.resume();
  }

  /**
   * `callback` runs once when the exchange is over — the body ended, failed or was aborted — or at once when it
   * already is: what holds a slot for the call (a key's in-flight count) gives it back here.
   */
  onDone(callback: () => void): void {
    if (this.#state !== 'open') callback();
    else this.#onDone = callback;
  }

  /** Ends the exchange now; a pending promise or the consumer fails with `reason`. */
  abort(reason: Error): void {
    if (this.#state !== 'open') return;
    this.#abortReason = reason;
    // Before undici put the request on a connection there is nothing to cancel yet: onRequestStart does it.
    this.#controller?.abort(reason);
    this.#fail(reason);
  }

  /** May come more than once (undici retries a request that failed at the head of a pipeline): the latest counts. */
  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.#abortReason) controller.abort(this.#abortReason);
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    if (statusCode < 200 || this.#state !== 'open') return; // 1xx (103 Early Hints, …): the real answer follows
    this.statusCode = statusCode;
    this.#headers = headers;
    const resolve = this.#resolve;
    this.#resolve = this.#reject = undefined;
    resolve?.(this);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#state !== 'open') return;
    if (this.#consumer !== undefined && !this.#paused && this.#queued.length === 0) {
      this.#consumer.data(chunk);
      return;
    }
    this.#queued.push(chunk);
    this.#queuedBytes += chunk.length;
    if (this.#paused || this.#queuedBytes > MAX_UNCONSUMED_BYTES) controller.pause();
  }

  onResponseEnd(): void {
    if (this.#state !== 'open') return;
    this.#state = 'ended';
    this.#detach();
    if (this.#queued.length === 0) this.#settle();
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.#fail(this.#abortReason ?? error);
  }

  /** Hands the queued chunks on until the caller pauses, then the end; reading goes on once nothing is held. */
  #flush(): void {
    if (this.#flushing) return;
    this.#flushing = true;
    // A consumer may hand the body on (discard() after [DONE]) while it is fed: the current one gets the rest.
    while (this.#queued.length > 0 && !this.#paused) {
      const chunk = this.#queued.shift()!;
      this.#queuedBytes -= chunk.length;
      this.#consumer!.data(chunk);
    }
    this.#flushing = false;
    if (this.#queued.length > 0) return; // paused: resume() goes on from here
    if (this.#state !== 'open') this.#settle();
    else if (!this.#paused) this.#controller?.resume();
  }

  /** Tells the consumer, once, how the body ended. */
  #settle(): void {
    const consumer = this.#consumer;
    if (consumer === undefined || this.#settled) return;
    this.#settled = true;
    if (this.#state === 'ended') consumer.end();
    else consumer.error(this.#failure!);
  }

  #fail(error: Error): void {
    if (this.#state !== 'open') return;
    this.#state = 'failed';
    this.#failure = error;
    this.#queued = [];
    this.#queuedBytes = 0;
    this.#detach();
    if (this.#reject) {
      const reject = this.#reject;
      this.#resolve = this.#reject = undefined;
      reject(error);
    } else {
      this.#settle();
    }
  }

  #detach(): void {
    this.#signal?.removeEventListener('abort', this.#onAbort);
    this.#signal = undefined;
    const done = this.#onDone;
    this.#onDone = undefined;
    done?.();
  }

  readonly #onAbort = (): void => {
    this.abort(abortError());
  };
}

/** The headers of a response that has none yet; the caller only sees a response after its headers, so none reads it. */
const NO_HEADERS: IncomingHttpHeaders = Object.freeze({});

/** What a cancelled exchange fails with; mapTransportError recognises it by name. */
function abortError(): Error {
  return new DOMException('The upstream request was aborted', 'AbortError');
}
