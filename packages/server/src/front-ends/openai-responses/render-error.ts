import type { ProxyError } from '@proxy/core';
import type { RenderedError } from '../../exchange/front-end.js';

/**
 * Before the stream: OpenAI's `{"error":{message,type,param,code}}` with the error's own status (the SDKs read it).
 * A prompt longer than the model's window already carries OpenAI's `context_length_exceeded` (core gives it to the
 * upstream's answer), which Codex acts on: it tells its user the context window is full, and counts it so.
 */
export function renderError(error: ProxyError): RenderedError {
  return { status: error.status, headers: error.headers, body: error.toBody() };
}

/**
 * The `code` of a `response.failed` event's error. Codex reads it: `context_length_exceeded` is its context-window
 * error, `invalid_prompt` is shown as it is, `rate_limit_exceeded` and `server_error` are retried.
 */
export function streamErrorCode(error: ProxyError): string {
  if (error.status === 429) return 'rate_limit_exceeded';
  if (error.status === 400 || error.status === 422) return error.code ?? 'invalid_prompt';
  return error.code ?? 'server_error';
}
