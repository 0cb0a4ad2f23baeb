import { uuidFor } from './ids.js';

/**
 * Sets NVCF's headers on one of NIM's answers: `nvcf-reqid`, NVIDIA's id for the call (what its support asks for,
 * so clients log it, above all on errors), and `nvcf-status`. `n` is the call's number since the mock started or
 * was reset, so ids are deterministic. `Response.error()` (a reset or hang) has no headers to set.
 */
export function withNvcfHeaders(response: Response, n: number): Response {
  if (response.type === 'error') return response;
  response.headers.set('nvcf-reqid', uuidFor(`request-${n}`));
  // The function answered, errors included: the invocation itself is fulfilled.
  response.headers.set('nvcf-status', 'fulfilled');
  return response;
}
