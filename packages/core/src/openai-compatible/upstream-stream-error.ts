import { ProxyError } from '../errors/proxy-error.js';

/**
 * The error an upstream reported inside its stream, as a ProxyError; undefined for any other chunk. vLLM-based NIM
 * builds send `data: {"error":{"message":…,"code":…}}` when generation fails after the 200 (older builds the bare
 * `{"object":"error",…}`). A `code` the client caused (4xx) keeps its status; any other failure is the upstream's
 * (502) and worth another try while the client has received nothing. Without it a stream would end with a generic
 * "cut short" and lose the upstream's reason.
 */
export function upstreamStreamError(chunk: { choices?: unknown; error?: unknown; object?: unknown; message?: unknown }, backend: string): ProxyError | undefined {
  if (Array.isArray(chunk.choices)) return undefined;
  const reported = chunk.error ?? (chunk.object === 'error' ? chunk : undefined);
  if (reported === undefined || reported === null) return undefined;
  const fields = typeof reported === 'object' ? (reported as { message?: unknown; code?: unknown }) : {};
  const message = typeof reported === 'string' ? reported : typeof fields.message === 'string' ? fields.message : '';
  const code = typeof fields.code === 'number' ? fields.code : Number.NaN;
  const clientError = code >= 400 && code < 500;
  // Retryable only matters before the client got anything: its first event (see UpstreamChatStream.opened).
  return new ProxyError({
    status: clientError ? code : 502,
    code: 'upstream_stream_error',
    isRetryable: !clientError || code === 429,
    message: `The ${backend} upstream reported an error in its stream${message ? `: ${message}` : ''}`,
  });
}

/** Whether the first event of client-ready SSE bytes mentions `"error"`: only then is it worth parsing for one. */
export function firstEventMentionsError(bytes: string | Uint8Array): boolean {
  const text = typeof bytes === 'string' || Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = text.indexOf('\n\n');
  const first = end < 0 ? text : typeof text === 'string' ? text.slice(0, end) : text.subarray(0, end);
  return first.indexOf('"error"') >= 0;
}
