/** Anthropic's stop reason for a chat `finish_reason`, and the stop sequence that ended the answer, if one did. */
export interface AnthropicStop {
  stopReason: 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'refusal';
  stopSequence: string | null;
}

/**
 * `stop` → `end_turn`, or `stop_sequence` when vLLM's `stop_reason` names one of the client's sequences; `length`
 * → `max_tokens`; `tool_use` exactly when the answer holds a tool_use block, also when a model said `stop` after
 * calling tools (some do, and Claude Code runs tools only on `tool_use`), and not when NIM said `tool_calls` but
 * every call was left out (a client seeing `tool_use` looks for a block to run); `content_filter` → `refusal`.
 */
export function anthropicStop(
  finishReason: unknown,
  matched: unknown,
  stopSequences: readonly string[] | undefined,
  calledTools: boolean,
): AnthropicStop {
  if (finishReason === 'length') return { stopReason: 'max_tokens', stopSequence: null };
  if (calledTools) return { stopReason: 'tool_use', stopSequence: null };
  if (finishReason === 'content_filter') return { stopReason: 'refusal', stopSequence: null };
  if (typeof matched === 'string' && stopSequences?.includes(matched)) return { stopReason: 'stop_sequence', stopSequence: matched };
  return { stopReason: 'end_turn', stopSequence: null };
}
