import type { ChatCompletionRequest } from '@proxy/core';
import type { ExchangeContext } from '../../exchange/front-end.js';
import { chatReasoningEffort } from '../reasoning-effort.js';
import { pushUserTurn, type ChatUserPart } from '../user-turns.js';
import { isCustomTool, prefillText, type AnthropicMessage, type AnthropicTool, type ContentBlock, type MessagesRequest } from './messages-schema.js';

type ChatPart = ChatUserPart;
type ChatMessage = Record<string, unknown> & { role: string };

/** What the translation tells the request's log once (tools and blocks NIM cannot take). */
export interface TranslationNotes {
  droppedTools?: string[];
  droppedBlocks?: string[];
}

/**
 * An Anthropic Messages request as the chat completions request NIM takes. Built field by field, so nothing NIM's
 * strict schema rejects (`metadata`, `top_k`, `context_management`, `output_config` but its format, `service_tier`,
 * Anthropic headers…) is ever sent; `stream_options` neither (see nim-facts: some builds reject or hang on it).
 */
export function toChatRequest(body: MessagesRequest, context: ExchangeContext, notes: TranslationNotes = {}): ChatCompletionRequest {
  const settings = context.modelSettings;
  const customTools = new Map<string, AnthropicTool>();
  for (const tool of body.tools ?? []) if (isCustomTool(tool)) customTools.set(tool.name, tool);
  const loaded = new Set<string>();
  const messages = toChatMessages(body, { replayReasoning: settings.replayReasoning === true, customTools, loaded }, notes);
  const request: Record<string, unknown> = {
    model: context.upstreamModel,
    messages,
    max_tokens: settings.maxTokens === undefined ? body.max_tokens : Math.min(body.max_tokens, settings.maxTokens),
  };
  if (body.stream) request.stream = true;
  if (body.temperature !== undefined) request.temperature = body.temperature;
  if (body.top_p !== undefined) request.top_p = body.top_p;
  if (body.stop_sequences?.length) request.stop = body.stop_sequences;
  // Structured output: NIM (vLLM's guided decoding) constrains the answer to the schema only when asked, and an
  // SDK's messages.parse() cannot parse prose. Anthropic's format has no name; OpenAI's json_schema needs one.
  const format = body.output_config?.format ?? body.output_format;
  if (format) request.response_format = { type: 'json_schema', json_schema: { name: 'output', schema: format.schema } };

  const tools = (body.tools ?? []).filter((tool) => {
    // A deferred tool stays hidden until ToolSearch has loaded it (a tool_reference in the conversation), as at
    // Anthropic: deferring keeps the prompt short, and Claude Code's placeholder is never to be called.
    if (isCustomTool(tool)) return tool.defer_loading !== true || loaded.has(tool.name);
    (notes.droppedTools ??= []).push(`${tool.name} (${tool.type})`);
    return false;
  });
  // A tool_choice without tools is an error on vLLM, and `none` with no tools says nothing.
  if (tools.length > 0) {
    request.tools = tools.map((tool) => ({
      type: 'function',
      function: {
        name: tool.name,
        ...(tool.description === undefined ? {} : { description: tool.description }),
        parameters: tool.input_schema ?? { type: 'object', properties: {} },
      },
    }));
    const choice = body.tool_choice;
    if (choice) {
      if (choice.type === 'auto') request.tool_choice = 'auto';
      else if (choice.type === 'any') request.tool_choice = 'required';
      else if (choice.type === 'none') request.tool_choice = 'none';
      // A named tool that is not sent (a server tool, a deferred one not loaded) would be a 400 from NIM: the
      // model chooses instead.
      else if (tools.some((tool) => tool.name === choice.name)) request.tool_choice = { type: 'function', function: { name: choice.name } };
      if ('disable_parallel_tool_use' in choice && choice.disable_parallel_tool_use === true) request.parallel_tool_calls = false;
    }
  }

  const reasoning = body.thinking && body.thinking.type !== 'disabled' ? settings.reasoningOn : settings.reasoningOff;
  if (reasoning) Object.assign(request, reasoning);
  // Claude Code says how hard to think in `output_config.effort`; thinking turned off is the least effort.
  const effort = chatReasoningEffort(context, body.thinking?.type === 'disabled' ? 'none' : body.output_config?.effort);
  if (effort) request.reasoning_effort = effort;
  // A prefill (the conversation ends with the assistant's own text) is continued, not answered: vLLM's chat template
  // then leaves that message open instead of closing it and starting a new assistant turn after it. Top-level
  // fields of vLLM's request, beside (never inside) the `chat_template_kwargs` a model's settings may have set. A
  // NIM whose schema refuses either has the NVIDIA connector drop both and retry: the message is then answered as
  // before.
  if (prefillText(body.messages) !== undefined) {
    request.continue_final_message = true;
    request.add_generation_prompt = false;
  }
  return request as ChatCompletionRequest;
}

/**
 * The conversation as chat messages. System text (the `system` field and any `system` entries inside the
 * conversation) becomes one system message at the start: Qwen's and Mistral's templates raise "System message
 * must be at the beginning" otherwise. Adjacent user messages are joined, since some templates insist on turns
 * that alternate.
 */
/** What the conversation's translation needs to know of the request's tools. */
interface ToolContext {
  replayReasoning: boolean;
  /** The client's own tools by name, deferred ones included: a tool_reference is answered with its definition. */
  customTools: ReadonlyMap<string, AnthropicTool>;
  /** Filled in: the deferred tools the conversation loaded (named by a tool_reference), which are then sent. */
  loaded: Set<string>;
}

function toChatMessages(body: MessagesRequest, tools: ToolContext, notes: TranslationNotes): ChatMessage[] {
  const systemTexts: string[] = [];
  if (typeof body.system === 'string') {
    if (body.system) systemTexts.push(body.system);
  } else if (body.system) {
    for (const block of body.system) if (block.text) systemTexts.push(block.text);
  }
  const out: ChatMessage[] = [];
  for (const message of body.messages) {
    if (message.role === 'system') systemTexts.push(...textsOf(message, notes));
    else if (message.role === 'assistant') out.push(assistantMessage(message, tools.replayReasoning, notes));
    else pushUserMessage(out, message, tools, notes);
  }
  if (systemTexts.length > 0) out.unshift({ role: 'system', content: systemTexts.join('\n\n') });
  return out;
}

function textsOf(message: AnthropicMessage, notes: TranslationNotes): string[] {
  if (typeof message.content === 'string') return message.content ? [message.content] : [];
  const texts: string[] = [];
  for (const block of message.content) {
    if (block.type === 'text') texts.push(block.text);
    else drop(notes, block);
  }
  return texts;
}

function assistantMessage(message: AnthropicMessage, replayReasoning: boolean, notes: TranslationNotes): ChatMessage {
  if (typeof message.content === 'string') return { role: 'assistant', content: message.content };
  let text = '';
  let reasoning = '';
  const toolCalls: unknown[] = [];
  for (const block of message.content) {
    switch (block.type) {
      case 'text':
        text += block.text;
        break;
      case 'tool_use':
        toolCalls.push({ id: block.id, type: 'function', function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) } });
        break;
      case 'thinking':
        reasoning += block.thinking;
        break;
      case 'redacted_thinking':
        // Encrypted by Anthropic: nothing a NIM model could read.
        break;
      default:
        drop(notes, block);
    }
  }
  const out: ChatMessage = { role: 'assistant', content: text.length > 0 || toolCalls.length === 0 ? text : null };
  if (toolCalls.length > 0) out.tool_calls = toolCalls;
  // DeepSeek-style reasoning models refuse a tool-call turn whose reasoning was lost; others are better without it.
  if (replayReasoning && reasoning.length > 0) out.reasoning_content = reasoning;
  return out;
}

/** A user turn: its tool results first, as `tool` messages in order, then its text and images as one user message. */
function pushUserMessage(out: ChatMessage[], message: AnthropicMessage, tools: ToolContext, notes: TranslationNotes): void {
  if (typeof message.content === 'string') {
    pushUserTurn(out, [{ type: 'text', text: message.content }]);
    return;
  }
  const parts: ChatPart[] = [];
  for (const block of message.content) {
    if (block.type === 'tool_result') {
      const result = toolResultContent(block, parts, tools, notes);
      out.push({ role: 'tool', tool_call_id: block.tool_use_id, content: result });
    } else {
      const part = userPart(block, notes);
      if (part) parts.push(part);
    }
  }
  pushUserTurn(out, parts);
}

/** A tool message holds text only; a result's images go to the user message that follows it. */
function toolResultContent(block: Extract<ContentBlock, { type: 'tool_result' }>, images: ChatPart[], tools: ToolContext, notes: TranslationNotes): string {
  let text = '';
  if (typeof block.content === 'string') text = block.content;
  else {
    const references: string[] = [];
    for (const part of block.content ?? []) {
      if (part.type === 'text') text += text ? `\n${part.text}` : part.text;
      else if (part.type === 'tool_reference') {
        tools.loaded.add(part.tool_name);
        references.push(functionLine(part.tool_name, tools.customTools.get(part.tool_name)));
      } else {
        const converted = userPart(part, notes);
        if (converted?.type === 'image_url') images.push(converted);
        else if (converted) text += text ? `\n${converted.text}` : converted.text;
      }
    }
    // Anthropic expands ToolSearch's references into the tools' definitions; ToolSearch's description tells the
    // model to expect them as <function> lines in a <functions> block.
    if (references.length > 0) text += `${text ? '\n' : ''}<functions>\n${references.join('\n')}\n</functions>`;
  }
  // The model must know the call failed; chat has no is_error flag, so the text says it.
  return block.is_error ? `Error: ${text}` : text;
}

/** A loaded tool's definition as ToolSearch's result gives it; its name alone when the request did not carry it. */
function functionLine(name: string, tool: AnthropicTool | undefined): string {
  const definition = tool ? { description: tool.description ?? '', name, parameters: tool.input_schema ?? { type: 'object', properties: {} } } : { name };
  return `<function>${JSON.stringify(definition)}</function>`;
}

function userPart(block: ContentBlock, notes: TranslationNotes): ChatPart | undefined {
  switch (block.type) {
    case 'text':
      return { type: 'text', text: block.text };
    case 'image':
      return {
        type: 'image_url',
        image_url: { url: block.source.type === 'base64' ? `data:${block.source.media_type};base64,${block.source.data}` : block.source.url },
      };
    case 'document':
      if (block.source.type === 'text' && typeof block.source.data === 'string') {
        return { type: 'text', text: block.title ? `${block.title}\n\n${block.source.data}` : block.source.data };
      }
      drop(notes, block);
      return undefined;
    default:
      drop(notes, block);
      return undefined;
  }
}

function drop(notes: TranslationNotes, block: { type: string; source?: { type?: unknown } }): void {
  const what = block.type === 'document' ? `document (${String(block.source?.type)})` : block.type;
  (notes.droppedBlocks ??= []).push(what);
}
