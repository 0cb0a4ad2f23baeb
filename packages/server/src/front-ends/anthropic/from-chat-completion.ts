import type { ChatCompletionResult } from '@proxy/core';
import type { ExchangeContext, JsonAnswer } from '../../exchange/front-end.js';
import { jsonCompletion } from '../complete-json.js';
import { countTextTokens, estimateInputTokens } from './estimate-tokens.js';
import { allowsOneToolUse, EXTRA_TOOL_CALLS_LEFT_OUT, type MessagesRequest } from './messages-schema.js';
import { THINKING_SIGNATURE } from './sse-frames.js';
import { anthropicStop } from './stop-reason.js';
import { splitThink } from '../think-splitter.js';
import { ToolCallAssembler } from './tool-call-assembler.js';
import { ToolUseIds } from './tool-use-ids.js';
import { readsToolMarkup, rewriteAnswerToolMarkup } from '../tool-markup/chunk-tool-markup.js';
import { anthropicToolSchemas, offersAnthropicTools } from './tool-schemas.js';
import { reasoningOf } from '../reasoning-field.js';

type Block =
  | { type: 'thinking'; thinking: string; signature: string }
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: unknown };

/**
 * A non-streamed chat completion as an Anthropic Message: `[thinking?, text?, tool_use…]`, the stop reason, and
 * usage (NIM's counts, or the tokenizer's estimate when it sent none, which is also the answer's `estimatedUsage`
 * for accounting). Tool calls go through the same assembler as streamed ones, so numeric or missing ids and
 * cut-short argument JSON are repaired the same way.
 */
export function fromChatCompletion(result: ChatCompletionResult, body: MessagesRequest, context: ExchangeContext): JsonAnswer {
  const choice = (result.body.choices[0] ?? {}) as {
    message?: { content?: unknown; reasoning_content?: unknown; reasoning?: unknown; tool_calls?: unknown } | null;
    finish_reason?: unknown;
    stop_reason?: unknown;
  };
  if (readsToolMarkup(context, offersAnthropicTools(body))) rewriteAnswerToolMarkup(choice, anthropicToolSchemas(body), context.log);
  const message = choice.message ?? {};
  const split = typeof message.content === 'string' ? splitThink(message.content) : { reasoning: '', text: '' };
  const thinking = reasoningOf(message) + split.reasoning;
  const text = split.text;
  const content: Block[] = [];
  if (thinking) content.push({ type: 'thinking', thinking, signature: THINKING_SIGNATURE });
  if (text) content.push({ type: 'text', text });

  const tools = new ToolCallAssembler();
  const ids = new ToolUseIds(body, context.requestId);
  if (Array.isArray(message.tool_calls)) message.tool_calls.forEach((call, index) => tools.push({ index, ...(call as object) }));
  const oneOnly = allowsOneToolUse(body);
  let leftOver = 0;
  for (const call of tools.calls) {
    if (oneOnly && content.some((block) => block.type === 'tool_use')) {
      leftOver++;
      continue;
    }
    if (call.name === '') {
      context.log.warn({ tool_call_index: call.index }, 'NIM answered a tool call without a function name; left out');
      continue;
    }
    const completion = jsonCompletion(call.args);
    if (completion !== undefined && choice.finish_reason === 'length') {
      // The answer ran out of tokens inside the call: closing its JSON would make a command cut mid-way runnable.
      context.log.warn({ tool: call.name }, 'the answer ran out of tokens inside a tool call; left out');
      continue;
    }
    const args = call.args + (completion ?? '');
    let input: unknown;
    try {
      input = JSON.parse(args);
    } catch {
      context.log.warn({ tool: call.name }, "NIM's tool call arguments are not JSON; sent as an empty input");
      input = {};
    }
    content.push({ type: 'tool_use', id: ids.for(call.id, call.index), name: call.name, input });
  }

  if (leftOver > 0) context.log.warn({ tool_calls_left_out: leftOver }, EXTRA_TOOL_CALLS_LEFT_OUT);

  const stop = anthropicStop(choice.finish_reason, choice.stop_reason, body.stop_sequences, content.some((block) => block.type === 'tool_use'));
  const usage = result.usage;
  const inputTokens = usage ? usage.promptTokens : estimateInputTokens(body);
  const outputTokens = usage ? usage.completionTokens : countTextTokens(thinking + text + tools.calls.map((call) => call.args).join(''));
  const answer = JSON.stringify({
    id: `msg_${context.requestId}`,
    type: 'message',
    role: 'assistant',
    model: context.clientModel,
    content,
    stop_reason: stop.stopReason,
    stop_sequence: stop.stopSequence,
    usage: { input_tokens: inputTokens, output_tokens: outputTokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
  });
  return usage ? { text: answer } : { text: answer, estimatedUsage: { promptTokens: inputTokens, completionTokens: outputTokens, totalTokens: inputTokens + outputTokens } };
}
