import { ProxyError } from '@proxy/core';

/**
 * The error an upstream reported inside its stream (`data: {"error":{"message":…}}`, which vLLM-based NIM builds
 * send when generation fails after the 200), as the ProxyError the translating encoders end their stream with;
 * undefined for any other chunk. Without it a translated stream would end with a generic "cut short" and lose the
 * upstream's reason; the chat front end relays the event itself.
 */
export function upstreamStreamError(chunk: { choices?: unknown; error?: unknown }, backend: string): ProxyError | undefined {
  if (chunk.error === undefined || chunk.error === null || Array.isArray(chunk.choices)) return undefined;
  const reported = chunk.error;
  const message =
    typeof reported === 'string' ? reported : typeof (reported as { message?: unknown }).message === 'string' ? (reported as { message: string }).message : '';
  return new ProxyError({
    status: 502,
    code: 'upstream_error',
    isRetryable: false,
    message: `The ${backend} upstream reported an error in its stream${message ? `: ${message}` : ''}`,
  });
}
