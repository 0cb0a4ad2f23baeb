import type { FastifyLoggerOptions } from 'fastify';
import pino from 'pino';
import type { LogLevel } from '../config/config-schema.js';

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

let stdout: ReturnType<typeof pino.destination> | undefined;

/**
 * pino's own destination on stdout, one per process: synchronous, so no write completion comes back to the event
 * loop, and buffered up to 4 KiB (a busy proxy makes one write per dozens of lines, not one per request) with a
 * flush at least every 100 ms, so a quiet one still shows each line within a tenth of a second. What is buffered
 * when the process exits leaves in one last blocking write.
 */
export function stdoutDestination(): LogDestination {
  if (stdout === undefined) {
    const destination = pino.destination({ dest: 1, sync: true, minLength: 4096, periodicFlush: 100 });
    process.once('exit', () => destination.flushSync());
    stdout = destination;
  }
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
