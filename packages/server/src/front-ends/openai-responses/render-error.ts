import { CONTEXT_LENGTH_EXCEEDED, readContextOverflow, type ProxyError } from '@proxy/core';
import type { RenderedError } from '../../exchange/front-end.js';

/**
 * The error's code. A prompt longer than the model's window has OpenAI's `context_length_exceeded` (core gives it to
 * an upstream's answer; an error made elsewhere that quotes the upstream's words gets it here), and Responses
 * clients act on the code: Codex tells its user the context window is full, and counts it so.
 */
function codeOf(error: ProxyError): string | null {
  if (error.code !== null) return error.code;
  return (error.status === 400 || error.status === 413 || error.status === 422) && readContextOverflow(error.message) ? CONTEXT_LENGTH_EXCEEDED : null;
}

/** Before the stream: OpenAI's `{"error":{message,type,param,code}}` with the error's own status (the SDKs read it). */
export function renderError(error: ProxyError): RenderedError {
  const body = error.toBody();
  body.error.code = codeOf(error);
  return { status: error.status, headers: error.headers, body };
}

/**
 * The `code` of a `response.failed` event's error. Codex reads it: `context_length_exceeded` is its context-window
 * error, `invalid_prompt` is shown as it is, `rate_limit_exceeded` and `server_error` are retried.
 */
export function streamErrorCode(error: ProxyError): string {
  if (error.status === 429) return 'rate_limit_exceeded';
  if (error.status === 400 || error.status === 422) return codeOf(error) ?? 'invalid_prompt';
  return error.code ?? 'server_error';
}
