import { InvalidRequestError } from '@proxy/core';
import type { ContentPart, FunctionCallItem, FunctionCallOutputItem, InputItem, MessageItem, ReasoningItem, ResponsesRequest } from './request-schema.js';
import { carriedReasoning } from './carried-reasoning.js';
import type { ToolNames } from './tool-names.js';
import { pushUserTurn, type ChatUserPart } from '../user-turns.js';

export interface ChatMessage {
  [key: string]: unknown;
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string | ChatContentPart[] | null;
  tool_calls?: ChatToolCall[];
  tool_call_id?: string;
  reasoning_content?: string;
}
type ChatContentPart = ChatUserPart;
interface ChatToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface MessageOptions {
  names: ToolNames;
  /** Send the history's reasoning back as `reasoning_content` (models that need it on tool-loop turns). */
  replayReasoning: boolean;
  /** Item types left out, for the request's log. */
  dropped: string[];
}

/**
 * The Responses input as chat messages. System text (`instructions`, `system` and `developer` items wherever they
 * stand) becomes one system message first: the chat templates of Qwen and Mistral models raise on a system message
 * after the first turn. An assistant turn is one message: its text, the function calls that follow it (Responses
 * lists each call as its own item, chat wants them in one `tool_calls`) and, when the model needs it back, the
 * reasoning before it. User items in a row are joined into one user message (pushUserTurn: some templates want
 * turns that alternate, and Codex sends its environment context and the prompt as two items).
 */
export function toChatMessages(body: ResponsesRequest, options: MessageOptions): ChatMessage[] {
  const system: string[] = [];
  if (body.instructions) system.push(body.instructions);
  const messages: ChatMessage[] = [];
  let assistant: ChatMessage | undefined; // the assistant message still taking calls and reasoning
  let reasoning: string | undefined; // reasoning waiting for the assistant message it belongs to
  // Calls of item types left out (a `local_shell_call`, which Codex answers with a `function_call_output`): their
  // outputs go too, since a tool message answering no call is refused by some chat templates (Mistral's) and by OpenAI's API.
  const droppedCalls = new Set<string>();
  // Images the tool outputs in a row returned (Codex's view_image): a chat tool message holds text only, so they
  // follow those outputs as a user message, once the last of them is in (tool messages must follow their calls).
  let resultImages: ChatContentPart[] = [];
  const flushResultImages = (): void => {
    pushUserTurn(messages, resultImages);
    resultImages = [];
  };

  const openAssistant = (): ChatMessage => {
    if (!assistant) {
      assistant = { role: 'assistant', content: null };
      messages.push(assistant);
    }
    if (reasoning !== undefined) {
      assistant.reasoning_content = assistant.reasoning_content ? `${assistant.reasoning_content}\n\n${reasoning}` : reasoning;
      reasoning = undefined;
    }
    return assistant;
  };

  const input: readonly InputItem[] = body.input ?? [];
  input.forEach((item, index) => {
    const at = `input[${index}]`;
    if (item.type !== 'function_call_output') flushResultImages();
    switch (item.type ?? 'message') {
      case 'message': {
        const message = item as MessageItem;
        if (message.role === 'system' || message.role === 'developer') {
          const text = textOf(message.content, `${at}.content`);
          if (text) system.push(text);
          return;
        }
        if (message.role === 'assistant') {
          // Text opens a turn of its own unless the open turn holds only its reasoning so far.
          if (assistant && (assistant.tool_calls || assistant.content !== null)) assistant = undefined;
          const turn = openAssistant();
          turn.content = textOf(message.content, `${at}.content`);
          return;
        }
        assistant = undefined;
        const content = userContent(message.content, `${at}.content`);
        pushUserTurn(messages, typeof content === 'string' ? [{ type: 'text', text: content }] : content);
        return;
      }
      case 'function_call': {
        const call = item as FunctionCallItem;
        const turn = openAssistant();
        (turn.tool_calls ??= []).push({
          id: call.call_id,
          type: 'function',
          function: { name: options.names.flatten(call.name, call.namespace), arguments: call.arguments },
        });
        return;
      }
      case 'function_call_output': {
        const output = item as FunctionCallOutputItem;
        if (droppedCalls.has(output.call_id)) {
          options.dropped.push('function_call_output');
          return;
        }
        assistant = undefined;
        messages.push({ role: 'tool', tool_call_id: output.call_id, content: toolOutput(output.output, resultImages, `${at}.output`) });
        return;
      }
      case 'reasoning': {
        if (!options.replayReasoning) return;
        const text = reasoningText(item as ReasoningItem);
        if (!text) return;
        // Reasoning opens the turn it belongs to: a reasoning item after the turn's calls starts the next one.
        if (assistant?.tool_calls || assistant?.content) assistant = undefined;
        reasoning = reasoning === undefined ? text : `${reasoning}\n\n${text}`;
        return;
      }
      case 'item_reference':
        throw new InvalidRequestError(
          `Invalid '${at}.type': 'item_reference' needs stored responses; this proxy keeps no conversation state, send the items themselves: set \`store: false\` on the request (the AI SDK's @ai-sdk/openai sends references by default: set providerOptions.openai.store to false)`,
          { param: `${at}.type` },
        );
      default:
        options.dropped.push(item.type as string);
        if (typeof item.call_id === 'string') droppedCalls.add(item.call_id);
    }
  });
  flushResultImages();
  if (reasoning !== undefined) openAssistant();
  keepResultsAfterCalls(messages);
  if (system.length > 0) messages.unshift({ role: 'system', content: system.join('\n\n') });
  if (!messages.some((message) => message.role !== 'system')) {
    throw new InvalidRequestError("Invalid 'input': must contain at least one user, assistant or tool item", { param: 'input' });
  }
  return messages;
}

/**
 * An answer with text (or reasoning) after its tool calls leaves items after the calls and before their outputs;
 * as messages of their own they would stand between the calls and their tool messages, which some chat templates
 * and OpenAI-style APIs refuse ("tool must follow tool_calls"). The assistant messages between calls and the tool
 * messages that answer them are one turn: their text after its text (whitespace alone, which is all some answers
 * write after a call, adds nothing), their reasoning after its reasoning, their calls after its calls.
 */
function keepResultsAfterCalls(messages: ChatMessage[]): void {
  for (let i = 0; i < messages.length; i += 1) {
    const turn = messages[i]!;
    if (turn.role !== 'assistant' || !turn.tool_calls) continue;
    let end = i + 1;
    while (end < messages.length && messages[end]!.role === 'assistant') end += 1;
    if (end === i + 1 || messages[end]?.role !== 'tool') continue;
    for (const later of messages.splice(i + 1, end - i - 1)) {
      const text = typeof later.content === 'string' ? later.content : '';
      if (text.trim()) turn.content = typeof turn.content === 'string' && turn.content ? `${turn.content}\n\n${text}` : text;
      if (later.reasoning_content) turn.reasoning_content = turn.reasoning_content ? `${turn.reasoning_content}\n\n${later.reasoning_content}` : later.reasoning_content;
      if (later.tool_calls) turn.tool_calls.push(...later.tool_calls);
    }
  }
}

/** Text parts joined; an image in a system or assistant message has nowhere to go in chat. */
function textOf(content: string | readonly ContentPart[], at: string): string {
  if (typeof content === 'string') return content;
  let text = '';
  content.forEach((part, index) => {
    if (part.type === 'input_text' || part.type === 'output_text') text += (text ? '\n' : '') + part.text;
    else if (part.type === 'refusal') text += (text ? '\n' : '') + part.refusal;
    else throw unsupportedPart(part.type, `${at}[${index}]`, 'in this message');
  });
  return text;
}

/** A user message: a plain string when it is text only (every chat template takes that), parts when it has images. */
function userContent(content: string | readonly ContentPart[], at: string): string | ChatContentPart[] {
  if (typeof content === 'string') return content;
  if (!content.some((part) => part.type === 'input_image')) return textOf(content, at);
  return content.map((part, index): ChatContentPart => {
    if (part.type === 'input_text' || part.type === 'output_text') return { type: 'text', text: part.text };
    if (part.type === 'input_image') return imagePart(part, `${at}[${index}]`);
    if (part.type === 'refusal') return { type: 'text', text: part.refusal };
    throw unsupportedPart(part.type, `${at}[${index}]`, '');
  });
}

function imagePart(part: Extract<ContentPart, { type: 'input_image' }>, at: string): ChatContentPart {
  if (!part.image_url) throw unsupportedPart('input_image with file_id', at, '(send image_url)');
  return { type: 'image_url', image_url: part.detail && part.detail !== 'original' ? { url: part.image_url, detail: part.detail } : { url: part.image_url } };
}

/**
 * A tool result as chat's text: its text parts. Its images go to `images`, for the user message that follows the
 * tool messages (as Anthropic tool results' images do); what else chat cannot carry (files) is named in the text.
 */
function toolOutput(output: string | readonly ContentPart[], images: ChatContentPart[], at: string): string {
  if (typeof output === 'string') return output;
  const texts: string[] = [];
  output.forEach((part, index) => {
    if (part.type === 'input_text' || part.type === 'output_text') texts.push(part.text);
    // An image by file id names a file only OpenAI holds: a placeholder, rather than refuse a turn whose tool output
    // the client cannot change.
    else if (part.type === 'input_image' && part.image_url) images.push(imagePart(part, `${at}[${index}]`));
    else texts.push(`[${part.type} omitted]`);
  });
  return texts.join('\n');
}

function reasoningText(item: ReasoningItem): string {
  const parts = item.content?.length ? item.content : (item.summary ?? []);
  if (parts.length === 0) return carriedReasoning(item.encrypted_content) ?? '';
  return parts.map((part) => part.text).join('\n\n');
}

function unsupportedPart(type: string, at: string, where: string): InvalidRequestError {
  return new InvalidRequestError(`Invalid '${at}.type': '${type}' is not supported ${where}`.trimEnd(), { param: `${at}.type` });
}
