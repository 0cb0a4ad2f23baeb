import type { ChatCompletionResult } from '@proxy/core';
import type { ExchangeContext, JsonAnswer } from '../../exchange/front-end.js';
import { allowsOneCall, EXTRA_CALLS_LEFT_OUT, type ResponsesRequest } from './request-schema.js';
import { carriesReasoning, reasoningItem } from './carried-reasoning.js';
import { asTokenUsage, estimatedResponsesUsage, headerJson, outputChars, responseHeader, responseIdBase, responseJson, statusOf, toResponsesUsage, type OutputItem } from './response-object.js';
import { jsonCompletion } from '../complete-json.js';
import { reasoningOf } from '../reasoning-field.js';
import { splitThink } from '../think-splitter.js';
import { offersResponsesTools, toChatTools } from './to-chat-tools.js';
import { chatToolSchemas } from '../tool-markup/parse-minimax-calls.js';
import { readsToolMarkup, rewriteAnswerToolMarkup } from '../tool-markup/chunk-tool-markup.js';
import type { ToolNames } from './tool-names.js';
import { UniqueCallIds } from '../unique-call-ids.js';

interface ChatAnswer {
  content?: unknown;
  reasoning_content?: unknown;
  reasoning?: unknown;
  tool_calls?: unknown;
}

/**
 * A non-streamed chat completion as a Responses `response` object: the one `response.completed` would carry, plus
 * the SDKs' `output_text` convenience. Reasoning (from `reasoning_content` or `<think>` content) comes first, then
 * the text, then one `function_call` item per tool call, named as the client named its tools. When NIM reported no
 * usage, the estimate the response carries is also the answer's `estimatedUsage`, for accounting.
 */
export function fromChatCompletion(result: ChatCompletionResult, body: ResponsesRequest, context: ExchangeContext): JsonAnswer {
  const base = responseIdBase(context);
  const choice = result.body.choices[0] as { message?: ChatAnswer; finish_reason?: string | null } | undefined;
  if (choice && readsToolMarkup(context, offersResponsesTools(body))) rewriteAnswerToolMarkup(choice, chatToolSchemas(toChatTools(body).tools), context.log);
  const message = choice?.message ?? {};
  const status = statusOf(choice?.finish_reason);
  const output = outputItems(message, choice?.finish_reason === 'length', base, toChatTools(body).names, context, allowsOneCall(body), carriesReasoning(body));
  // The limit cut the last item: a message there says so itself, as OpenAI's does (a call cut says so already).
  const last = output.at(-1);
  if (status.status === 'incomplete' && last?.type === 'message') last.status = 'incomplete';
  const text = output.flatMap((item) => (item.type === 'message' ? item.content.map((part) => part.text) : [])).join('');
  const reported = toResponsesUsage(result.body.usage);
  const usage = reported ?? estimatedResponsesUsage(outputChars(output), body);
  const header = headerJson(responseHeader(body, context, `resp_${base}`));
  const answer = responseJson(header, { ...status, output, usage }, `,"output_text":${JSON.stringify(text)}`);
  return reported ? { text: answer } : { text: answer, estimatedUsage: asTokenUsage(usage) };
}

/**
 * `outOfTokens`: the answer ended at its token limit, so a call whose arguments do not parse was cut, not finished.
 * `oneCall`: the request allows one function call at most (see allowsOneCall). `carry`: the reasoning item carries
 * its text in `encrypted_content` too (see carriesReasoning).
 */
function outputItems(message: ChatAnswer, outOfTokens: boolean, base: string, names: ToolNames, context: ExchangeContext, oneCall: boolean, carry: boolean): OutputItem[] {
  const output: OutputItem[] = [];
  const split = typeof message.content === 'string' ? splitThink(message.content) : { reasoning: '', text: '' };
  const reasoning = reasoningOf(message) + split.reasoning;
  if (reasoning) output.push(reasoningItem(`rs_${base}_0`, reasoning, carry));
  if (split.text) {
    output.push({
      id: `msg_${base}_${output.length}`,
      type: 'message',
      status: 'completed',
      role: 'assistant',
      content: [{ type: 'output_text', text: split.text, annotations: [], logprobs: [] }],
    });
  }
  const calls = Array.isArray(message.tool_calls) ? (message.tool_calls as unknown[]) : [];
  const callIds = new UniqueCallIds(() => [], (index) => `call_${base}_${index}`);
  let leftOut = 0;
  calls.forEach((call, index) => {
    const { id, function: fn } = (call ?? {}) as { id?: unknown; function?: { name?: unknown; arguments?: unknown } };
    if (oneCall && output.some((item) => item.type === 'function_call')) {
      leftOut++;
      return;
    }
    if (typeof fn?.name !== 'string' || fn.name === '') {
      context.log.warn({ tool_call_index: index }, 'NIM answered a tool call without a function name; left out');
      return;
    }
    const client = names.original(fn.name);
    const args = fn?.arguments;
    const completion = typeof args === 'string' ? jsonCompletion(args) : undefined;
    // Cut by the token limit, the call is sent as it came and `incomplete` (no client may run half a command);
    // otherwise a build's short-cut JSON is closed, as in a stream.
    const cut = completion !== undefined && outOfTokens;
    if (cut) context.log.warn({ tool: fn.name }, 'the answer ran out of tokens inside a tool call; sent as incomplete');
    const given = id === undefined || id === null || id === '' ? undefined : String(id);
    const callId = callIds.for(given, index);
    output.push({
      id: `fc_${base}_${output.length}`,
      type: 'function_call',
      status: cut ? 'incomplete' : 'completed',
      call_id: callId,
      name: client.name,
      ...(client.namespace ? { namespace: client.namespace } : {}),
      arguments: typeof args === 'string' ? (cut ? args : args + (completion ?? '')) : args === undefined || args === null ? '{}' : JSON.stringify(args),
    });
  });
  if (leftOut > 0) context.log.warn({ tool_calls_left_out: leftOut }, EXTRA_CALLS_LEFT_OUT);
  return output;
}
