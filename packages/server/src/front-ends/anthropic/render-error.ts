import { CONTEXT_LENGTH_EXCEEDED, readContextOverflow, type ProxyError } from '@proxy/core';
import type { RenderedError } from '../../exchange/front-end.js';
import { THREAD_NOT_FOUND } from './message-threads.js';

export type AnthropicErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'request_too_large'
  | 'rate_limit_error'
  | 'api_error'
  | 'overloaded_error';

/**
 * The status and type Anthropic's API would answer with. NIM's 422 (its strict schema) is Anthropic's 400, quoting
 * NIM's detail (the ProxyError's message already does); 410 (a retired model) is a 404; an overloaded upstream
 * (503, 529) is Anthropic's 529 `overloaded_error`, which its SDKs and Claude Code retry with backoff — unless
 * retrying cannot help (`retryable: false`, e.g. a backend with no upstream key configured), which Claude Code
 * would otherwise report as a passing overload: that is a 500 `api_error`. Every other 5xx, upstream timeouts (504)
 * included, stays what it was as an `api_error`.
 */
export function anthropicErrorFor(status: number, retryable = true): { status: number; type: AnthropicErrorType } {
  if (status === 400 || status === 422) return { status: 400, type: 'invalid_request_error' };
  if (status === 401) return { status, type: 'authentication_error' };
  if (status === 403) return { status, type: 'permission_error' };
  if (status === 404 || status === 410) return { status: 404, type: 'not_found_error' };
  if (status === 413) return { status, type: 'request_too_large' };
  if (status === 429) return { status, type: 'rate_limit_error' };
  if (status === 503 || status === 529) return retryable ? { status: 529, type: 'overloaded_error' } : { status: 500, type: 'api_error' };
  if (status >= 500) return { status, type: 'api_error' };
  return { status: status >= 400 ? status : 500, type: status >= 400 ? 'invalid_request_error' : 'api_error' };
}

/**
 * `{"type":"error","error":{"type","message"}}`, as Anthropic's API and SDKs have it; `details.error_code` where
 * Anthropic's API gives one the SDKs act on (a thread it does not hold: see message-threads.ts).
 */
export function anthropicErrorBody(
  type: AnthropicErrorType,
  message: string,
  errorCode?: string,
): { type: 'error'; error: { type: AnthropicErrorType; message: string; details?: { error_code: string } } } {
  return { type: 'error', error: errorCode === undefined ? { type, message } : { type, message, details: { error_code: errorCode } } };
}

/**
 * Headers worth passing on: `retry-after` (the SDKs wait that long), the 401 challenge, and the proxy's own
 * `x-should-retry` on an error that no retry can fix (the SDKs and Claude Code honour it).
 */
const PASSED_HEADERS = ['retry-after', 'www-authenticate', 'x-should-retry'] as const;

/**
 * A key the proxy or NIM refused (401, 403) stays refused however often it is sent: `x-should-retry: false`, which
 * the SDKs and Claude Code honour. Claude Code otherwise retries a 401 silently, for minutes, before it shows
 * the error.
 */
const NOT_RETRIED = new Set([401, 403]);

export function renderAnthropicError(error: ProxyError): RenderedError {
  const { status, type } = anthropicErrorFor(error.status, error.isRetryable);
  let headers: Record<string, string> | undefined;
  for (const name of PASSED_HEADERS) {
    const value = error.headers[name];
    if (value !== undefined) (headers ??= {})[name] = value;
  }
  if (NOT_RETRIED.has(status)) (headers ??= {})['x-should-retry'] = 'false';
  return { status, headers, body: anthropicErrorBody(type, anthropicMessage(error), error.code === THREAD_NOT_FOUND ? THREAD_NOT_FOUND : undefined) };
}

/** The `event: error` frame that ends a stream which failed after it started. */
export function errorFrame(error: ProxyError): string {
  const { type } = anthropicErrorFor(error.status, error.isRetryable);
  return `event: error\ndata: ${JSON.stringify(anthropicErrorBody(type, anthropicMessage(error)))}\n\n`;
}

/**
 * The error's message, but a request longer than the model's window in Anthropic's own words when the upstream named
 * the numbers, since Claude Code reads them from those sentences as it does against Anthropic's API: `prompt is too
 * long: N tokens > M maximum` (it compacts the conversation by what it must lose), or, when the prompt fits and the
 * `max_tokens` asked for does not, `input length and \`max_tokens\` exceed context limit: N + K > M` (it asks again
 * with less).
 */
function anthropicMessage(error: ProxyError): string {
  if (error.code !== CONTEXT_LENGTH_EXCEEDED) return error.message;
  const { promptTokens: prompt, limitTokens: limit, completionTokens: completion } = readContextOverflow(error.message) ?? {};
  if (prompt === undefined || limit === undefined) return error.message;
  if (prompt > limit) return `prompt is too long: ${prompt} tokens > ${limit} maximum`;
  if (completion === undefined) return error.message;
  return `input length and \`max_tokens\` exceed context limit: ${prompt} + ${completion} > ${limit}, decrease input length or \`max_tokens\` and try again`;
}
