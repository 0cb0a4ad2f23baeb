import type { ChatCompletionRequest } from '@proxy/core';

/**
 * The chat body NIM accepts. Its schema is strict (unknown top-level fields are rejected), so:
 * - `max_completion_tokens` is sent as `max_tokens`; when the client sent both, its explicit `max_tokens` is kept
 *   and `max_completion_tokens` dropped;
 * - `stream_options` is never sent: NIM rejects it, and some builds hang on it.
 * Every other field passes through untouched. The input is never mutated: it is returned itself when it needs no change.
 */
export function toNimRequestBody(request: ChatCompletionRequest): Record<string, unknown> {
  // Most requests carry neither field: they are sent as they are, with no copy to make and collect.
  if (request.max_completion_tokens === undefined && request.stream_options === undefined) return request;
  // One copying loop: rest destructuring (`{ a, b, ...body }`) takes V8's slow generic path, ≈ 5 µs a request.
  const body: Record<string, unknown> = {};
  for (const key of Object.keys(request)) {
    if (key !== 'max_completion_tokens' && key !== 'stream_options') body[key] = request[key];
  }
  if (body.max_tokens == null && request.max_completion_tokens != null) body.max_tokens = request.max_completion_tokens;
  return body;
}
