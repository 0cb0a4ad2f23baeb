import type { ServerResponse } from 'node:http';
import type { CancelSignal, ChatCompletionStream, ProxyError, SecretScrubber, TokenUsage } from '@proxy/core';
import { KeepaliveTimer } from '../streaming/keepalive-timer.js';
import type { StreamEncoder } from './front-end.js';

export type RelayStatus = 'completed' | 'failed' | 'aborted';

/**
 * The client's side of a committed stream: its headers are sent, and from here on every byte comes from the front
 * end's encoder — its opening frames, one write per upstream read, keep-alives during silence, and exactly one
 * ending (`end` or `error`). Back-pressure is honoured: a client that does not read stops the reading of the
 * upstream, and gets no keep-alives to buffer.
 */
export class StreamRelay {
  readonly #response: ServerResponse;
  readonly #encoder: StreamEncoder;
  readonly #signal: CancelSignal;
  readonly #release: () => void;
  readonly #scrubber: SecretScrubber | undefined;
  readonly #keepalive: KeepaliveTimer;
  #releasing = false;
  #error: ProxyError | undefined;

  /** `scrubber` removes keys from what came from upstream (reads and error frames) before it is written. */
  constructor(options: {
    response: ServerResponse;
    encoder: StreamEncoder;
    signal: CancelSignal;
    keepaliveIntervalMs: number;
    release: () => void;
    scrubber?: SecretScrubber | undefined;
  }) {
    this.#response = options.response;
    this.#encoder = options.encoder;
    this.#signal = options.signal;
    this.#release = options.release;
    this.#scrubber = options.scrubber?.active ? options.scrubber : undefined;
    this.#keepalive = new KeepaliveTimer(() => {
      if (!this.#response.writableNeedDrain && !this.#signal.aborted) this.#response.write(this.#encoder.keepalive());
    }, options.keepaliveIntervalMs);
  }

  /** The encoder's estimate of the usage, for an upstream that reported none. */
  get estimatedUsage(): TokenUsage | undefined {
    return this.#encoder.estimatedUsage;
  }

  /** The error the stream ended with, once it failed. */
  get error(): ProxyError | undefined {
    return this.#error;
  }

  /**
   * Lets the held headers and what was written go once this turn's promise jobs are done: when the read just
   * written was the last, the end of the stream is written in them too, and everything leaves in one socket write;
   * when the upstream has more to say later, they leave at once anyway.
   */
  #releaseSoon(): void {
    if (this.#releasing) return;
    this.#releasing = true;
    process.nextTick(this.#release);
  }

  /** Sends the encoder's opening frames, and a keep-alive at once when the upstream has already been silent. */
  open(silent: boolean): void {
    const start = this.#encoder.start();
    const bytes = this.#scrubbed(silent ? start + this.#encoder.keepalive() : start);
    if (bytes.length > 0) this.#response.write(bytes);
    // Held headers leave with the first bytes; when there are none yet, they wait for the first upstream read.
    if (silent) this.#release();
    this.#keepalive.start();
  }

  /** Relays the upstream stream to its end, the client's departure or a failure (`toError` maps it). */
  async pipe(stream: ChatCompletionStream, toError: (error: unknown) => ProxyError): Promise<RelayStatus> {
    const response = this.#response;
    try {
      for await (const read of stream) {
        const bytes = this.#scrubbed(this.#encoder.read(read));
        if (bytes.length === 0) continue;
        const flushed = response.write(bytes);
        this.#releaseSoon();
        this.#keepalive.touch();
        if (!flushed) await drainedOrCancelled(response, this.#signal);
        if (this.#signal.aborted) break;
      }
    } catch (error) {
      if (this.#signal.aborted) return this.#abandon();
      return this.fail(toError(error));
    } finally {
      stream.cancel();
    }
    if (this.#signal.aborted) return this.#abandon();
    this.#keepalive.stop();
    // The ending can repeat what came from upstream (a Responses stream's whole output, held tool calls).
    response.end(this.#scrubbed(this.#encoder.end()));
    this.#release();
    this.#error = this.#encoder.failure;
    return this.#error ? 'failed' : 'completed';
  }

  /** Ends the stream with the encoder's error frame (the upstream failed after the client's 200). */
  fail(error: ProxyError): RelayStatus {
    this.#keepalive.stop();
    if (this.#signal.aborted) return this.#abandon();
    this.#error = error;
    this.#response.end(this.#scrubbed(this.#encoder.error(error)));
    this.#release();
    return 'failed';
  }

  /** Every byte the encoder writes, scrubbed: any of it may carry what the upstream (or the request) said. */
  #scrubbed<T extends string | Uint8Array>(bytes: T): T | string | Uint8Array {
    return this.#scrubber ? this.#scrubber.scrub(bytes) : bytes;
  }

  #abandon(): RelayStatus {
    this.#keepalive.stop();
    return 'aborted';
  }
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
