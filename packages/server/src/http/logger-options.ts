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

/**
 * Fastify's logger options: pino at `level`, redacting REDACTED_PATHS, writing to `destination`, by default pino's
 * synchronous destination on stdout. Synchronous, as pino recommends for a process's main log: no line waits in
 * memory when stdout is slow, none is lost when the process exits, and no write completion comes back to the event
 * loop for each line.
 */
export function loggerOptions(level: LogLevel, destination: LogDestination = pino.destination({ dest: 1, sync: true })): FastifyLoggerOptions & Record<string, unknown> {
  return {
    level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    stream: destination,
  };
}
