import type { Timing } from './scenario.js';
import { timedBody } from './timed-body.js';

export interface ChunkedResponseInit {
  status: number;
  headers: Record<string, string>;
  timing: Timing | undefined;
  /** Drop the connection after this many chunks. */
  disconnectAfter?: number;
  signal: AbortSignal;
}

/** A response whose body is written chunk by chunk, honouring the after-headers delays. */
export function chunkedResponse(chunks: readonly string[], init: ChunkedResponseInit): Response {
  const body = timedBody(chunks, {
    firstChunkDelayMs: init.timing?.firstChunkDelayMs,
    chunkDelayMs: init.timing?.chunkDelayMs,
    disconnectAfter: init.disconnectAfter,
    signal: init.signal,
  });
  return new Response(body, { status: init.status, headers: init.headers });
}
