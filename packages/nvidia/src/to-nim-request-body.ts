import type { ChatCompletionRequest } from '@proxy/core';

/**
 * OpenAI-only fields that agent SDKs send and hosted NIM's strict schema rejects (`extra_forbidden`, a 422 for a
 * request that would otherwise work): never sent to NVIDIA. `reasoning_effort`, `chat_template_kwargs` and
 * `parallel_tool_calls` are not here: NIM's current models take them.
 */
export const NIM_UNSUPPORTED_FIELDS: readonly string[] = [
  'store',
  'metadata',
  'prompt_cache_key',
  'service_tier',
  'modalities',
  'verbosity',
  'safety_identifier',
  'prediction',
  'audio',
  'web_search_options',
];

/** Also never sent: `max_completion_tokens` becomes `max_tokens`; `stream_options` is rejected, and some builds hang on it. */
const REWRITTEN_FIELDS = ['max_completion_tokens', 'stream_options'] as const;

export interface NimBodyOptions {
  /** Fields NIM rejected for this model earlier in the process's life (see RejectedFields). */
  rejected?: ReadonlySet<string> | undefined;
  /** The largest `max_tokens` NIM's schema took for this model, once it refused more (see TokenCaps). */
  maxTokensCap?: number | undefined;
  /**
   * Sent as `max_tokens` when the request names no limit (neither `max_tokens` nor `max_completion_tokens`):
   * NIM's own default is low for some models (a reasoning model spends it all thinking and is cut off), and
   * MiniMax answers 200 with no choices at all without one. Lowered to `maxTokensCap` when that is known; 0 sends none.
   */
  defaultMaxTokens?: number | undefined;
  /** Told which fields the client sent and NIM is not sent (for a debug line); not called when none were. */
  onDropped?: ((fields: readonly string[]) => void) | undefined;
}

/**
 * The chat body NIM accepts. Its schema is strict (unknown top-level fields are rejected), so:
 * - `max_completion_tokens` is sent as `max_tokens`; when the client sent both, its explicit `max_tokens` is kept
 *   and `max_completion_tokens` dropped;
 * - `stream_options`, the NIM_UNSUPPORTED_FIELDS and the fields NIM rejected for the model are not sent;
 * - a request that names no limit is sent `defaultMaxTokens`;
 * - a `max_tokens` over the cap NIM's schema set for the model is lowered to it.
 * Every other field passes through untouched. The input is never mutated: it is returned itself when it needs no
 * change, so a body rewritten once passes again untouched.
 */
export function toNimRequestBody(request: ChatCompletionRequest, options: NimBodyOptions = {}): Record<string, unknown> {
  const cap = options.maxTokensCap;
  // Lowered to the cap below, like any max_tokens.
  const fallback = request.max_tokens == null && request.max_completion_tokens == null && options.defaultMaxTokens ? options.defaultMaxTokens : undefined;
  // Most requests carry none of these: they are sent as they are, with no copy to make and collect.
  if (!carriesAny(request, options.rejected) && !(cap !== undefined && (request.max_tokens ?? 0) > cap) && fallback === undefined) return request;
  // One copying loop: rest destructuring (`{ a, b, ...body }`) takes V8's slow generic path, ≈ 5 µs a request.
  const body: Record<string, unknown> = {};
  let dropped: string[] | undefined;
  for (const key of Object.keys(request)) {
    const value = request[key];
    if (key === 'max_completion_tokens' || key === 'stream_options') continue;
    if (NIM_UNSUPPORTED_FIELDS.includes(key) || options.rejected?.has(key)) {
      if (value !== undefined) (dropped ??= []).push(key);
      continue;
    }
    body[key] = value;
  }
  if (body.max_tokens == null && request.max_completion_tokens != null) body.max_tokens = request.max_completion_tokens;
  if (fallback !== undefined) body.max_tokens = fallback;
  if (cap !== undefined && typeof body.max_tokens === 'number' && body.max_tokens > cap) body.max_tokens = cap;
  if (dropped) options.onDropped?.(dropped);
  return body;
}

const NOT_SENT_AS_IS: ReadonlySet<string> = new Set([...REWRITTEN_FIELDS, ...NIM_UNSUPPORTED_FIELDS]);

/**
 * Whether the request holds a field that is rewritten or not sent. Its own keys (a handful) are looked up in a set,
 * rather than each of the dozen field names looked up on the body, which nearly always misses them all: 40 ns
 * against 130 ns a call, and every chat body is checked twice (when it is adapted, and when it is sent).
 */
function carriesAny(request: ChatCompletionRequest, rejected: ReadonlySet<string> | undefined): boolean {
  for (const key of Object.keys(request)) {
    if ((NOT_SENT_AS_IS.has(key) || rejected?.has(key) === true) && request[key] !== undefined) return true;
  }
  return false;
}
