import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Ids a caller may choose: short and plain, so they are safe in logs and headers. */
const ACCEPTABLE_ID = /^[\w.:-]{1,128}$/;

/** The caller's `x-request-id` when it is acceptable (tracing across services), else a fresh UUID. */
export function requestIdFor(request: IncomingMessage): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && ACCEPTABLE_ID.test(given) ? given : randomUUID();
}
