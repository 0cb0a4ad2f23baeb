import { messageText, readDirectives, stripDirectives } from './directive.js';
import { minimaxMarkup } from './minimax-markup.js';
import { DEFAULT_MODELS, type MockModel } from './model-catalog.js';
import { mergeScenarios, type ReasoningMode, type Scenario } from './scenario.js';
import { scriptedToolCalls, toolResultReply, toolResultsSinceAssistant } from './scripted-tools.js';

export interface ChatRequestLike {
  model?: unknown;
  messages?: unknown;
  tools?: unknown;
  tool_choice?: unknown;
  max_tokens?: unknown;
  stop?: unknown;
  /** vLLM's: continue the final (assistant) message instead of starting a new turn after it. */
  continue_final_message?: unknown;
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export interface ExpectedToolCall {
  name: string;
  /** JSON text. */
  arguments: string;
}

/** What the mock answers to a request: the JSON completion's message, and the concatenated stream deltas. */
export interface ExpectedCompletion {
  /** `message.content`; `<think>…</think>` is part of it in `think-tags` mode; `null` for a tool call. */
  content: string | null;
  /** `message.reasoning_content` (`reasoning_content` mode only). */
  reasoningContent: string | undefined;
  toolCalls: ExpectedToolCall[];
  finishReason: 'stop' | 'length' | 'tool_calls';
  /**
   * vLLM's `stop_reason` beside `finish_reason`: the stop sequence (from the request's `stop`) that ended the
   * answer, whose text stops before it. Absent when none did (vLLM then sends `null`; the mock leaves it out).
   */
  stopReason?: string;
  usage: Usage;
  reasoning: ReasoningMode;
}

/** The mock's tokenizer: one token per run of non-space characters. */
export function countTokens(text: string): number {
  return text.match(/\S+/g)?.length ?? 0;
}

/** The prompt's tokens as the mock counts them (its usage, its context window): the words of every message's text. */
export function promptTokenCount(messages: unknown): number {
  return Array.isArray(messages) ? messages.reduce<number>((sum, message) => sum + countTokens(stripDirectives(messageText(message))), 0) : 0;
}

/** Splits text into the stream's content pieces (a word and the spaces after it); they concatenate back to `text`. */
export function splitIntoPieces(text: string): string[] {
  return text.match(/^\s+|\S+\s*/g) ?? [];
}

/** The text of the last user message, with directives removed. */
export function lastUserText(messages: unknown): string {
  if (!Array.isArray(messages)) return '';
  for (let i = messages.length - 1; i >= 0; i -= 1) {
    const message: unknown = messages[i];
    if (typeof message === 'object' && message !== null && (message as { role?: unknown }).role === 'user') {
      return stripDirectives(messageText(message));
    }
  }
  return '';
}

export function replyText(userText: string): string {
  return `You said: ${userText}`;
}

/**
 * What the mock writes when asked to continue a final assistant message (`continue_final_message: true`): text
 * that goes on mid-sentence rather than opening a new turn, so a test sees which way the request was read.
 */
export function continuationText(userText: string): string {
  return ` (continued) You said: ${userText}`;
}

/** Whether the request asks to continue its final message, and that message is the assistant's. */
export function continuesFinalMessage(request: ChatRequestLike): boolean {
  if (request.continue_final_message !== true || !Array.isArray(request.messages)) return false;
  const last: unknown = request.messages.at(-1);
  return typeof last === 'object' && last !== null && (last as { role?: unknown }).role === 'assistant';
}

export function reasoningText(userText: string): string {
  return `Thinking about: ${userText}`;
}

export function reasoningModeFor(model: unknown, models: readonly MockModel[]): ReasoningMode {
  return models.find((entry) => entry.id === model)?.reasoning ?? 'none';
}

interface ToolDefinition {
  type?: unknown;
  function?: { name?: unknown; parameters?: unknown };
}

/** The request lets the model call a tool: it sends `tools` and does not say `tool_choice: "none"`. */
function offersTools(request: ChatRequestLike): boolean {
  return Array.isArray(request.tools) && request.tools.length > 0 && request.tool_choice !== 'none';
}

/** `tool_choice` leaves the model no choice: `"required"`, or a function named. */
function forcesTool(request: ChatRequestLike): boolean {
  const choice = request.tool_choice;
  return choice === 'required' || (typeof choice === 'object' && choice !== null && (choice as { function?: unknown }).function !== undefined);
}

function chosenTool(request: ChatRequestLike): ToolDefinition | undefined {
  if (!offersTools(request)) return undefined;
  const tools = request.tools as ToolDefinition[];
  const choice = request.tool_choice as { function?: { name?: unknown } } | undefined;
  const named = typeof choice === 'object' && choice !== null ? choice.function?.name : undefined;
  return (named === undefined ? undefined : tools.find((tool) => tool.function?.name === named)) ?? tools[0];
}

/** Arguments filled from the JSON schema: strings get the user text, numbers 42, booleans true. */
function toolArguments(parameters: unknown, userText: string): string {
  const schema = (typeof parameters === 'object' && parameters !== null ? parameters : {}) as {
    properties?: Record<string, { type?: unknown }>;
    required?: unknown;
  };
  const properties = schema.properties ?? {};
  const names = Array.isArray(schema.required) ? (schema.required as string[]) : Object.keys(properties);
  const values: Record<string, unknown> = {};
  for (const name of names) {
    const type = properties[name]?.type;
    values[name] =
      type === 'number' || type === 'integer' ? 42 : type === 'boolean' ? true : type === 'array' ? [] : type === 'object' ? {} : userText;
  }
  return JSON.stringify(values);
}

export interface ExpectedCompletionOptions {
  /** Scenario layers other than the body's own directive (which is read from `request.messages`). */
  scenario?: Scenario;
  /** The catalog the mock was given; decides the reasoning mode by model. */
  models?: readonly MockModel[];
}

/**
 * The calls as a model with `maxTokens` to spend writes them: whole while the arguments fit, then the one that runs
 * out cut mid-JSON (and none after it), as NIM's models do when `max_tokens` ends an answer inside a tool call.
 * The same array when everything fits.
 */
function fitCallsToTokens(calls: ExpectedToolCall[], maxTokens: number): ExpectedToolCall[] {
  let budget = maxTokens;
  for (const [index, call] of calls.entries()) {
    const need = countTokens(call.arguments);
    if (need <= budget) {
      budget -= need;
      continue;
    }
    const words = splitIntoPieces(call.arguments).filter((piece) => /\S/.test(piece));
    return [...calls.slice(0, index), { name: call.name, arguments: words.slice(0, Math.max(0, budget)).join('') }];
  }
  return calls;
}

/**
 * The deterministic answer the mock gives to `request`, computed exactly as the mock computes it, so tests can
 * assert exact text: by default the content is `You said: <last user message>` (` (continued) You said: …` when the
 * request asks to continue a final assistant message, `continue_final_message: true`). With `tools`, a turn calls the
 * scripted (`toolCall`/`toolCalls`) or the first / `tool_choice`-named tool, unless it follows a tool result:
 * then it answers `finalAnswer` (default `Tool result: <…>`), as an agent model ends its loop.
 */
export function expectedCompletion(request: ChatRequestLike, options: ExpectedCompletionOptions = {}): ExpectedCompletion {
  const scenario = mergeScenarios(options.scenario, readDirectives(request.messages));
  const reasoning = scenario.reasoning ?? reasoningModeFor(request.model, options.models ?? DEFAULT_MODELS);
  const userText = lastUserText(request.messages);
  const thought = reasoningText(userText);

  const toolResults = toolResultsSinceAssistant(request.messages);
  let reply = toolResults
    ? (scenario.finalAnswer ?? scenario.content ?? toolResultReply(toolResults))
    : (scenario.content ?? (continuesFinalMessage(request) ? continuationText(userText) : replyText(userText)));
  const huge = scenario.stream?.hugeLineBytes;
  if (huge !== undefined && huge > 0) reply = `${reply} ${'x'.repeat(huge)}`;

  let finishReason: ExpectedCompletion['finishReason'] = 'stop';
  // A stop sequence in the reply ends it there, as vLLM stops generating at the first match (and does not send it).
  let stopReason: string | undefined;
  const stops = typeof request.stop === 'string' ? [request.stop] : Array.isArray(request.stop) ? request.stop.filter((stop): stop is string => typeof stop === 'string' && stop !== '') : [];
  for (const stop of stops) {
    const at = reply.indexOf(stop);
    if (at < 0) continue;
    reply = reply.slice(0, at);
    stopReason = stop;
  }
  const maxTokens = request.max_tokens;
  if (typeof maxTokens === 'number' && countTokens(reply) > maxTokens) {
    reply = splitIntoPieces(reply)
      .filter((piece) => /\S/.test(piece))
      .slice(0, Math.max(0, maxTokens))
      .join('')
      .trimEnd();
    finishReason = 'length';
  }

  let toolCalls: ExpectedToolCall[] = [];
  if (!toolResults && offersTools(request)) {
    const tool = chosenTool(request);
    const scripted = scriptedToolCalls(scenario);
    if (scripted) toolCalls.push(...scripted);
    else if (tool && typeof tool.function?.name === 'string' && (scenario.unscriptedTools !== 'answer' || forcesTool(request))) {
      toolCalls.push({ name: tool.function.name, arguments: toolArguments(tool.function.parameters, userText) });
    }
    if (toolCalls.length > 0) finishReason = 'tool_calls';
    if (typeof maxTokens === 'number') {
      const fitted = fitCallsToTokens(toolCalls, maxTokens);
      if (fitted !== toolCalls) {
        toolCalls = fitted;
        finishReason = 'length';
      }
    }
  }

  const thinkPrefix = reasoning === 'think-tags' ? `<think>${thought}</think>\n\n` : '';
  let content = toolCalls.length > 0 ? (thinkPrefix === '' ? null : thinkPrefix.trimEnd()) : thinkPrefix + reply;
  if (toolCalls.length > 0 && (options.models ?? DEFAULT_MODELS).find((entry) => entry.id === request.model)?.toolMarkup === 'minimax') {
    // No tool parser on the serving side: the calls stay in the text, and the answer ends as text does.
    content = (content === null ? '' : `${content}\n`) + minimaxMarkup(toolCalls);
    toolCalls = [];
    if (finishReason === 'tool_calls') finishReason = 'stop';
  }
  const reasoningContent = reasoning === 'reasoning_content' ? thought : undefined;

  const promptTokens = promptTokenCount(request.messages);
  const completionTokens =
    countTokens(content ?? '') +
    countTokens(reasoningContent ?? '') +
    toolCalls.reduce((sum, call) => sum + countTokens(call.arguments), 0);

  return {
    content,
    reasoningContent,
    toolCalls,
    finishReason,
    ...(finishReason === 'stop' && stopReason !== undefined ? { stopReason } : {}),
    reasoning,
    usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
  };
}
