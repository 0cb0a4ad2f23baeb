import pino from 'pino';
import type { LogDestination } from './logger-options.js';

/** Log lines are held until this many bytes are buffered, then written in one call. */
const BUFFER_BYTES = 4096;
/** ...or until this long has passed, so a quiet proxy's lines still appear at once to a person watching. */
const FLUSH_INTERVAL_MS = 100;

let shared: LogDestination | undefined;

/**
 * Standard output, buffered: one asynchronous write per line cost the proxy ≈ 7 µs a request under load (a libuv
 * request each), a batch of lines costs one. Lines wait at most FLUSH_INTERVAL_MS; pino writes out what is left
 * when the process exits, also on a crash. One per process, as stdout is: every server built here shares it.
 */
export function stdoutLogStream(): LogDestination {
  if (shared) return shared;
  const destination = pino.destination({ dest: 1, minLength: BUFFER_BYTES, sync: false });
  setInterval(() => destination.flush(), FLUSH_INTERVAL_MS).unref();
  shared = destination;
  return destination;
}
