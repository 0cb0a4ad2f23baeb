import { jsonResponse, problemDetails } from './problem-details.js';
import type { Fault } from './scenario.js';
import { untilAborted } from './sleep.js';

/**
 * The answer for faults that replace the whole response, or `undefined` for faults that shape the body
 * (`disconnect`, `malformed-*`) and for no fault.
 *
 * `reset` and `hang` end in `Response.error()`: the listening adapter resets the socket on it; under msw's
 * `setupServer` it becomes fetch's `TypeError` (a network error), the closest in-process equivalent.
 */
export async function wholeResponseFault(fault: Fault | undefined, signal: AbortSignal): Promise<Response | undefined> {
  switch (fault?.type) {
    case 'http-error': {
      const body = fault.body ?? problemDetails(fault.status);
      return jsonResponse(body, fault.status, fault.headers);
    }
    case 'rate-limit':
      return jsonResponse(problemDetails(429), 429, { 'retry-after': String(fault.retryAfterSeconds ?? 1) });
    case 'reset':
      return Response.error();
    case 'hang':
      await untilAborted(signal);
      return Response.error();
    default:
      return undefined;
  }
}
