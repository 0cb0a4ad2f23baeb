import type { ChatCompletionRequest } from '@proxy/core';

/**
 * The chat body NIM accepts. Its schema is strict (unknown top-level fields are rejected), so:
 * - `max_completion_tokens` is sent as `max_tokens`; when the client sent both, its explicit `max_tokens` is kept
 *   and `max_completion_tokens` dropped;
 * - `stream_options` is never sent: NIM rejects it, and some builds hang on it.
 * Every other field passes through untouched. The input is never mutated.
 */
export function toNimRequestBody(request: ChatCompletionRequest): Record<string, unknown> {
  const { max_completion_tokens: maxCompletionTokens, stream_options: _streamOptions, ...body } = request;
  if (body.max_tokens == null && maxCompletionTokens != null) return { ...body, max_tokens: maxCompletionTokens };
  return body;
}
