import { BatchedFdWriter } from './batched-fd-writer.js';
import type { LogDestination } from './logger-options.js';

/** Log lines are held until this many bytes are buffered, then written in one call. */
const BUFFER_BYTES = 4096;
/** ...or until this long has passed, so a quiet proxy's lines still appear at once to a person watching. */
const FLUSH_INTERVAL_MS = 100;

let shared: LogDestination | undefined;

/**
 * Standard output, batched: lines collect until 4 KiB, then leave in one synchronous write (pino's own default is
 * synchronous too, so no line is held in memory when stdout is slow). Per line that measured 0.3 µs, against 1.7 µs
 * for sonic-boom's synchronous batching, 6.2 µs for one asynchronous write a line and 10 µs for sonic-boom's
 * asynchronous batching. Lines wait at most FLUSH_INTERVAL_MS, and what is left is written when the process exits.
 * One per process, as stdout is: every server built here shares it.
 */
export function stdoutLogStream(): LogDestination {
  if (shared) return shared;
  const writer = new BatchedFdWriter(1, BUFFER_BYTES);
  const flush = () => {
    try {
      writer.flush();
    } catch {
      // Standard output is gone (EPIPE) or broken: its lines cannot be written anywhere.
    }
  };
  setInterval(flush, FLUSH_INTERVAL_MS).unref();
  process.once('exit', flush);
  shared = {
    write(line: string) {
      try {
        writer.write(line);
      } catch {
        // As in flush(): and a request must not fail because its log line could not be written.
      }
    },
  };
  return shared;
}
