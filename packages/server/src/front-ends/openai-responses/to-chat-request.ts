import type { ChatCompletionRequest } from '@proxy/core';
import type { ExchangeContext } from '../../exchange/front-end.js';
import type { SaidOnce } from '../said-once.js';
import type { ResponsesRequest } from './request-schema.js';
import { toChatMessages } from './to-chat-messages.js';
import { logDroppedTools, toChatToolChoice, toChatTools } from './to-chat-tools.js';
import { chatReasoningEffort } from '../reasoning-effort.js';

/**
 * The chat completions request for a Responses request. Only what chat has is sent: NIM's schema is strict, so
 * the Responses-only fields (`store`, `include`, `prompt_cache_key`, `client_metadata`, `text.verbosity`,
 * `service_tier`, `truncation`, `metadata`, `reasoning.summary`, …) are left out rather than passed on.
 */
export function toChatRequest(body: ResponsesRequest, context: ExchangeContext, told: SaidOnce): ChatCompletionRequest {
  const settings = context.modelSettings;
  const { tools, dropped: droppedTools, names } = toChatTools(body);
  const droppedItems: string[] = [];
  const messages = toChatMessages(body, { names, replayReasoning: settings.replayReasoning === true, dropped: droppedItems });
  if (told.fresh(droppedTools).length > 0) logDroppedTools(droppedTools, context);
  if (droppedItems.length > 0) context.log.warn({ dropped_items: [...new Set(droppedItems)] }, 'input items with no chat equivalent were not sent upstream');

  const request: ChatCompletionRequest = { model: context.upstreamModel, messages };
  if (body.stream) request.stream = true;
  // Without max_tokens NIM's default is low and a reasoning model can spend it all before answering: the
  // configured cap is also the default.
  const maxTokens = capped(body.max_output_tokens ?? undefined, settings.maxTokens);
  if (maxTokens !== undefined) request.max_tokens = maxTokens;
  if (typeof body.temperature === 'number') request.temperature = body.temperature;
  if (typeof body.top_p === 'number') request.top_p = body.top_p;
  if (tools.length > 0) {
    // A tool choice or parallel flag without tools is refused by some NIM builds ("auto" tool choice requires …).
    request.tools = tools;
    const choice = toChatToolChoice(body.tool_choice, names);
    if (choice !== undefined) request.tool_choice = choice;
    if (typeof body.parallel_tool_calls === 'boolean') request.parallel_tool_calls = body.parallel_tool_calls;
  }
  const format = body.text?.format;
  if (format?.type === 'json_object') request.response_format = { type: 'json_object' };
  else if (format?.type === 'json_schema') {
    const schema: Record<string, unknown> = { name: format.name, schema: format.schema };
    if (format.description) schema.description = format.description;
    if (typeof format.strict === 'boolean') schema.strict = format.strict;
    request.response_format = { type: 'json_schema', json_schema: schema };
  }
  // A `reasoning` object asks for reasoning (OpenAI's default effort is medium; Codex sends `{summary: "auto"}`
  // without an effort unless one is configured); only effort none or minimal turns it off. Without the object the
  // model keeps its own default.
  const reasoning = body.reasoning;
  if (reasoning) Object.assign(request, reasoning.effort === 'none' || reasoning.effort === 'minimal' ? settings.reasoningOff : settings.reasoningOn);
  const effort = chatReasoningEffort(context, reasoning?.effort);
  if (effort) request.reasoning_effort = effort;
  return request;
}

function capped(asked: number | undefined, cap: number | undefined): number | undefined {
  if (asked === undefined) return cap;
  return cap === undefined ? asked : Math.min(asked, cap);
}
