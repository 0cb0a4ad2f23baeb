import type { FastifyLoggerOptions } from 'fastify';
import type { LogLevel } from '../config/config-schema.js';
import { BatchedFdWriter } from './batched-fd-writer.js';

/** Where log lines go instead of stdout (tests capture them here). */
export interface LogDestination {
  write(line: string): unknown;
}

/**
 * Paths removed from every log line. The server never logs headers or bodies in the first place; this is the
 * second line of defence should a serializer or a future log call include them. Exact paths only: a wildcard path
 * makes pino walk every logged object, several times the cost of the line itself.
 */
const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'headers.authorization',
  'headers["x-api-key"]',
  'authorization',
  'api_key',
  'api_keys',
  'auth.api_keys',
];

/** Log lines are held until this many characters are pending, then written in one call... */
const BUFFER_CHARS = 4096;
/** ...or until this long has passed since the first of them, so a quiet proxy still shows each line within a tenth of a second. */
const FLUSH_INTERVAL_MS = 100;

let stdout: LogDestination | undefined;

/**
 * Standard output, batched: lines collect up to 4 KiB and leave in one synchronous write (a busy proxy makes one
 * write per ten lines, not one per request; a slow stdout is waited for, so no line is held in memory), within
 * 100 ms of the first line pending, and what is left when the process exits. One per process, as stdout is.
 * Hand-rolled, not pino.destination: its sonic-boom re-measures the whole pending buffer on every line, on the
 * request line that is the largest single cost of a proxied request (`pnpm bench` misses its targets; see
 * docs/performance.md).
 */
export function stdoutDestination(): LogDestination {
  if (stdout) return stdout;
  const writer = new BatchedFdWriter(1, BUFFER_CHARS, { maxDelayMs: FLUSH_INTERVAL_MS });
  const flush = () => {
    try {
      writer.flush();
    } catch {
      // Standard output is gone (EPIPE) or broken: its lines cannot be written anywhere.
    }
  };
  process.once('exit', flush);
  stdout = {
    write(line: string) {
      try {
        writer.write(line);
      } catch {
        // As in flush(); and a request must not fail because its log line could not be written.
      }
    },
  };
  return stdout;
}

/** Fastify's logger options: pino at `level`, redacting REDACTED_PATHS, writing to `destination`. */
export function loggerOptions(level: LogLevel, destination: LogDestination = stdoutDestination()): FastifyLoggerOptions & Record<string, unknown> {
  return {
    level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    stream: destination,
  };
}
