import type { FastifyLoggerOptions } from 'fastify';
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
 * Fastify's logger options: pino at `level`, redacting REDACTED_PATHS, writing to `destination`, or without one to
 * pino's own default, a synchronous sonic-boom on stdout (no line is held in memory when stdout is slow, or lost at
 * exit).
 */
export function loggerOptions(level: LogLevel, destination?: LogDestination): FastifyLoggerOptions & Record<string, unknown> {
  return {
    level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    ...(destination ? { stream: destination } : {}),
  };
}
