import { sleep } from './sleep.js';

/** The error a body stream fails with when a scenario drops the connection mid-stream. */
export class MockDisconnectError extends Error {
  override readonly name = 'MockDisconnectError';
  constructor() {
    super('mock-nim: connection dropped mid-stream (disconnect fault)');
  }
}

export interface TimedBodyOptions {
  firstChunkDelayMs?: number;
  chunkDelayMs?: number;
  /** Fail the stream (the adapters turn that into a dropped connection) after this many chunks. */
  disconnectAfter?: number;
  /** Stops the stream early: the client went away or the mock closed. */
  signal: AbortSignal;
}

const encoder = new TextEncoder();

/**
 * A pull-based body (high-water mark 0: nothing is produced before the consumer asks), one chunk per pull,
 * each after its delay.
 */
export function timedBody(chunks: readonly string[], options: TimedBodyOptions): ReadableStream<Uint8Array> {
  let index = 0;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (index === options.disconnectAfter) {
          controller.error(new MockDisconnectError());
          return;
        }
        const chunk = chunks[index];
        if (chunk === undefined) {
          controller.close();
          return;
        }
        const delay = index === 0 ? options.firstChunkDelayMs : options.chunkDelayMs;
        if (!(await sleep(delay ?? 0, options.signal))) {
          controller.error(options.signal.reason);
          return;
        }
        index += 1;
        controller.enqueue(encoder.encode(chunk));
      },
    },
    { highWaterMark: 0 },
  );
}
