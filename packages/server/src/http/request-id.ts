import { randomFillSync } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Ids a caller may choose: short and plain, so they are safe in logs and headers. */
const ACCEPTABLE_ID = /^[\w.:-]{1,128}$/;

const ID_BYTES = 16;
const IDS_PER_FILL = 256;
const pool = Buffer.allocUnsafe(ID_BYTES * IDS_PER_FILL);
let nextId = IDS_PER_FILL;

/**
 * A fresh id: 16 random bytes as 32 hex digits, like nginx's `$request_id`, cut from a pool refilled every 256 ids.
 * Not randomUUID(): its string is built from some twenty pieces, and under load flattening it (in Node's check of
 * the `x-request-id` response header) cost more than making it; `toString('hex')` gives one flat string.
 */
export function newRequestId(): string {
  if (nextId === IDS_PER_FILL) {
    randomFillSync(pool);
    nextId = 0;
  }
  const start = nextId++ * ID_BYTES;
  return pool.toString('hex', start, start + ID_BYTES);
}

/** The caller's `x-request-id` when it is acceptable (tracing across services), else a fresh id. */
export function requestIdFor(request: IncomingMessage): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && ACCEPTABLE_ID.test(given) ? given : newRequestId();
}
