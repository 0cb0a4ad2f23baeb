import type { ServerResponse } from 'node:http';
import { formatSseData, SSE_DONE, type CancelSignal, type ChatCompletionStream, type ChatStreamEvent, type ProxyError, type TokenUsage } from '@proxy/core';
import { KeepaliveTimer } from './keepalive-timer.js';
import { NOTHING_HELD } from './sse-headers.js';

export interface RelayOptions {
  /** A response whose SSE headers are already committed. */
  response: ServerResponse;
  /**
   * The upstream stream, or its promise while pending (headers committed before the upstream answered). Given as
   * it is once it is known: awaiting a settled promise still costs a turn of the microtask queue.
   */
  stream: ChatCompletionStream | Promise<ChatCompletionStream>;
  /** Fires when the client goes away. */
  signal: CancelSignal;
  /** The client asked for `stream_options.include_usage`: forward usage-only chunks. */
  includeUsage: boolean;
  keepalive: {
    /** The keep-alive's bytes, or how to build them: most streams never need one, so the route defers the work. */
    frame: string | (() => string);
    /** 0 disables keep-alives. */
    intervalMs: number;
    /** The upstream has already been silent for a whole interval: send one at once. */
    sendNow: boolean;
  };
  /** Maps a failure to the error sent as the stream's last event. */
  toError: (error: unknown) => ProxyError;
  /** Sends what the socket holds now (see commitSseHeaders); called after each write until the first has gone. */
  release?: (() => void) | undefined;
}

const SSE_DONE_BYTES = Buffer.from(SSE_DONE);

export type RelayResult =
  | { status: 'completed'; usage: TokenUsage | undefined }
  | { status: 'failed'; usage: TokenUsage | undefined; error: ProxyError }
  | { status: 'aborted'; usage: TokenUsage | undefined };

/**
 * Relays upstream events to the client as they come: `data` forwarded as received (no JSON work), keep-alives
 * during silence, back-pressure honoured, `[DONE]` always last on success. A failure becomes an OpenAI error event
 * (`data: {"error":{…}}`), which the openai SDK throws as an APIError; no `[DONE]` follows it, so no client can
 * take a failed completion for a finished one.
 */
export async function relayChatStream(options: RelayOptions): Promise<RelayResult> {
  const { response, signal } = options;
  const release = options.release ?? NOTHING_HELD;
  const source = options.keepalive.frame;
  let frame: string | undefined;
  const keepaliveFrame = () => (frame ??= typeof source === 'string' ? source : source());
  const keepalive = new KeepaliveTimer(() => {
    // A client that is not reading needs no keep-alive, and buffering them for it would only grow memory.
    if (!response.writableNeedDrain && !signal.aborted) response.write(keepaliveFrame());
  }, options.keepalive.intervalMs);
  let stream: ChatCompletionStream | undefined;
  try {
    if (options.keepalive.sendNow && options.keepalive.intervalMs > 0) {
      response.write(keepaliveFrame());
      release();
    }
    keepalive.start();
    stream = options.stream instanceof Promise ? await options.stream : options.stream;
    const tail = stream.forward ? await forward(stream, options, keepalive, release) : await relayEvents(stream, options, keepalive, release);
    keepalive.stop();
    if (signal.aborted) return { status: 'aborted', usage: stream.usage };
    if (typeof tail === 'string') {
      response.end(tail + SSE_DONE);
      release();
    } else {
      // The last read as it is, then [DONE]: both leave in one socket write (the headers' hold, or Node's own cork
      // of a chunked write until the next tick), and the read is not copied. A Buffer.concat here cost ≈ 5 µs a
      // stream under load for a 4 KiB read: past 4 KiB Node allocates a fresh ArrayBuffer. No cork()/uncork()
      // around end(): on Node 24 that sent an empty body (see the regression test).
      if (tail.length > 0) response.write(tail);
      response.end(SSE_DONE_BYTES);
      release();
    }
    return { status: 'completed', usage: stream.usage };
  } catch (error) {
    keepalive.stop();
    if (signal.aborted) return { status: 'aborted', usage: stream?.usage };
    const proxyError = options.toError(error);
    response.end(formatSseData(JSON.stringify(proxyError.toBody())));
    release();
    return { status: 'failed', usage: stream?.usage, error: proxyError };
  } finally {
    keepalive.stop();
    stream?.cancel();
  }
}

/**
 * The fast path: the stream pushes each upstream read as client-ready bytes (unchanged when they need no change),
 * and a full client socket pauses the upstream until it drains. Resolves with the events to send with [DONE].
 */
function forward(stream: ChatCompletionStream, options: RelayOptions, keepalive: KeepaliveTimer, release: () => void): Promise<string | Uint8Array> {
  const { response } = options;
  let waiting = false;
  const resume = () => {
    waiting = false;
    stream.resume?.();
  };
  return stream.forward!(
    (chunk) => {
      const flushed = response.write(chunk);
      release();
      keepalive.touch();
      // undici may hand over a read it had already parsed before the pause took effect: one listener is enough.
      if (!flushed && !waiting) {
        waiting = true;
        response.once('drain', resume);
      }
      return flushed;
    },
    { includeUsage: options.includeUsage },
  );
}

/**
 * For streams without forward(): the events one upstream read brought leave in one write (and the last ones with
 * [DONE] in the final end()), instead of a chunked-encoding frame each. Resolves with the events to send with [DONE].
 */
async function relayEvents(stream: ChatCompletionStream, options: RelayOptions, keepalive: KeepaliveTimer, release: () => void): Promise<string> {
  const { response, signal } = options;
  let tail = '';
  for await (const batch of eventBatches(stream)) {
    let text = '';
    let done = false;
    for (const event of batch) {
      if (event.done) {
        done = true;
        break;
      }
      if (event.usageOnly && !options.includeUsage) continue;
      text += formatSseData(event.data);
    }
    if (done) {
      tail = text;
      break;
    }
    if (text === '') continue;
    const flushed = response.write(text);
    release();
    keepalive.touch();
    if (!flushed) await drainedOrCancelled(response, signal);
    if (signal.aborted) break;
  }
  return tail;
}

/** The stream's own batches when it has them; otherwise each event on its own. */
function eventBatches(stream: ChatCompletionStream): AsyncIterable<readonly ChatStreamEvent[]> {
  return stream.batches ? stream.batches() : oneByOne(stream);
}

async function* oneByOne(stream: ChatCompletionStream): AsyncGenerator<readonly ChatStreamEvent[]> {
  for await (const event of stream) yield [event];
}

/** Resolves when the client's socket drains or the client leaves, whichever comes first. */
function drainedOrCancelled(response: ServerResponse, signal: CancelSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      response.off('drain', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    response.once('drain', done);
    signal.addEventListener('abort', done);
  });
}
