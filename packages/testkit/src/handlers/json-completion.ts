import type { ExpectedCompletion } from './completion-content.js';
import { completionId, toolCallId } from './ids.js';
import type { IdStyle } from './scenario.js';

export interface CompletionMeta {
  sequence: number;
  model: string;
  created: number;
  idStyle?: IdStyle;
}

/** The `chat.completion` object for a non-streaming request. */
export function chatCompletionBody(expected: ExpectedCompletion, meta: CompletionMeta): Record<string, unknown> {
  const message: Record<string, unknown> = { role: 'assistant', content: expected.content };
  if (expected.reasoningContent !== undefined) message.reasoning_content = expected.reasoningContent;
  if (expected.toolCalls.length > 0) {
    message.tool_calls = expected.toolCalls.map((call, index) => ({
      id: toolCallId(meta.sequence, index, meta.idStyle),
      type: 'function',
      function: { name: call.name, arguments: call.arguments },
    }));
  }
  return {
    id: completionId(meta.sequence, meta.idStyle),
    object: 'chat.completion',
    created: meta.created,
    model: meta.model,
    choices: [
      { index: 0, message, logprobs: null, finish_reason: expected.finishReason, ...(expected.stopReason !== undefined ? { stop_reason: expected.stopReason } : {}) },
    ],
    usage: expected.usage,
  };
}
