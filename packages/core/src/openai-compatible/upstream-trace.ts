import type { CallOptions, UpstreamTrace } from '../connector.js';
import type { SecretScrubber } from '../secrets/secret-scrubber.js';

/** Ids safe in a log line and a response header (the rule the server applies to a client's `x-request-id`). */
const PLAIN_ID = /^[\w.:-]{1,128}$/;

/** The per-call options an upstream attempt needs: cancellation, the key report, the request id, the trace. */
export function traced(options: CallOptions | undefined): Pick<CallOptions, 'signal' | 'report' | 'requestId' | 'trace'> {
  return { signal: options?.signal, report: options?.report, requestId: options?.requestId, trace: options?.trace };
}

/**
 * Notes the upstream's id for the call from its response header, overwriting an earlier attempt's. An id that is
 * not short and plain, or that carries a key of the connector's (`keys` finds any form of one), is left out rather
 * than passed on to a client's headers or the log: the upstream writes that header, and a hostile one could echo
 * the key it was sent.
 */
export function recordUpstreamId(trace: UpstreamTrace, header: string, value: string | string[] | undefined, keys: SecretScrubber): void {
  const id = Array.isArray(value) ? value[0] : value;
  trace.upstreamRequestId = id !== undefined && PLAIN_ID.test(id) && keys.scrub(id) === id ? { header, value: id } : undefined;
}
