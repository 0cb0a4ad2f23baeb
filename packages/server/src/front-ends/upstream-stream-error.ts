import { ProxyError } from '@proxy/core';

/**
 * The error an upstream reported inside its stream, as the ProxyError the translating encoders end their stream
 * with; undefined for any other chunk. vLLM-based NIM builds send `data: {"error":{"message":…}}` when generation
 * fails after the 200 (older builds the bare `{"object":"error","message":…}`). Without it a translated stream would
 * end with a generic "cut short" and lose the upstream's reason; the chat front end relays the event itself.
 */
export function upstreamStreamError(chunk: { choices?: unknown; error?: unknown; object?: unknown; message?: unknown }, backend: string): ProxyError | undefined {
  if (Array.isArray(chunk.choices)) return undefined;
  const reported = chunk.error ?? (chunk.object === 'error' ? chunk : undefined);
  if (reported === undefined || reported === null) return undefined;
  const message =
    typeof reported === 'string' ? reported : typeof (reported as { message?: unknown }).message === 'string' ? (reported as { message: string }).message : '';
  return new ProxyError({
    status: 502,
    code: 'upstream_error',
    isRetryable: false,
    message: `The ${backend} upstream reported an error in its stream${message ? `: ${message}` : ''}`,
  });
}
