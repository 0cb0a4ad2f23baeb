import { extractUsage, StreamUsageTracker, upstreamStreamError, type ChatStreamRead, type ProxyError, type TokenUsage } from '@proxy/core';
import type { ExchangeContext, StreamEncoder } from '../../exchange/front-end.js';
import { jsonCompletion } from '../complete-json.js';
import { countTextTokens, estimateInputTokens, roughInputTokens } from './estimate-tokens.js';
import { allowsOneToolUse, EXTRA_TOOL_CALLS_LEFT_OUT, type MessagesRequest } from './messages-schema.js';
import { errorFrame } from './render-error.js';
import {
  blockDelta,
  blockStart,
  blockStop,
  frame,
  inputJsonDelta,
  PING_FRAME,
  SIGNATURE_DELTA,
  TEXT_BLOCK,
  textDelta,
  THINKING_BLOCK,
  thinkingDelta,
  toolUseBlock,
} from './sse-frames.js';
import { anthropicStop } from './stop-reason.js';
import { ThinkSplitter, type SplitText } from '../think-splitter.js';
import { ToolCallAssembler, type ToolCallState } from './tool-call-assembler.js';
import { ToolUseIds } from './tool-use-ids.js';
import { ChunkToolMarkup, readsToolMarkup } from '../tool-markup/chunk-tool-markup.js';
import { anthropicToolSchemas, offersAnthropicTools } from './tool-schemas.js';
import { reasoningOf } from '../reasoning-field.js';

type Open = 'none' | 'text' | 'thinking' | 'tool';

/**
 * One chat completions stream as Anthropic's Messages stream: `message_start` (with `usage.input_tokens`), then one
 * content block at a time (`thinking` with its `signature`, `text`, `tool_use` with `input_json_delta` pieces), then
 * `message_delta` (stop reason, `usage.output_tokens`) and `message_stop`; never `[DONE]`; `ping` while NIM is silent;
 * `error` when it fails after the start.
 *
 * Blocks cannot interleave in Anthropic's protocol, while chat deltas can: parallel tool calls interleaved by
 * index, or text after a tool call began. So the first tool call streams live, other calls are held until the
 * live one closes (at the end of the answer), and text or reasoning that comes once tool calls have begun is
 * held and sent as its own block after them. Each chunk's JSON is parsed once (by the stream's lazy event).
 */
export class AnthropicStreamEncoder implements StreamEncoder {
  readonly #body: MessagesRequest;
  readonly #context: ExchangeContext;
  readonly #splitter = new ThinkSplitter();
  readonly #tools = new ToolCallAssembler();
  readonly #toolUseIds: ToolUseIds;
  /** Tool calls a model wrote as markup in its text become tool_calls deltas before they are read. */
  readonly #markup: ChunkToolMarkup | undefined;
  #out = '';
  #started = false;
  #ended = false;
  /** The error the upstream reported inside its stream, which ended it. */
  failure: ProxyError | undefined;
  #index = -1;
  #open: Open = 'none';
  #openTool: ToolCallState | undefined;
  #toolsBegan = false;
  #heldText = '';
  #heldThinking = '';
  #finishReason: unknown;
  #matchedStop: unknown;
  /** NIM's usage reports: cumulative, so the largest counts. */
  readonly #upstreamUsage = new StreamUsageTracker();
  #inputEstimate: number | undefined;
  /** Everything the model produced, counted only when NIM reports no usage. */
  #produced: string[] = [];
  #outputEstimate: number | undefined;

  constructor(body: MessagesRequest, context: ExchangeContext) {
    this.#body = body;
    this.#context = context;
    this.#toolUseIds = new ToolUseIds(body, context.requestId);
    this.#markup = readsToolMarkup(context, offersAnthropicTools(body)) ? new ChunkToolMarkup(anthropicToolSchemas(body), context.log) : undefined;
  }

  start(): string {
    if (this.#started) return '';
    this.#started = true;
    const message =
      `{"type":"message_start","message":{"id":${JSON.stringify(`msg_${this.#context.requestId}`)},"type":"message",` +
      `"role":"assistant","model":${JSON.stringify(this.#context.clientModel)},"content":[],"stop_reason":null,` +
      `"stop_sequence":null,"usage":{"input_tokens":${roughInputTokens(this.#body)},"output_tokens":0,` +
      `"cache_creation_input_tokens":0,"cache_read_input_tokens":0}}}`;
    return frame('message_start', message);
  }

  read(read: ChatStreamRead): string {
    this.#out = this.start();
    if (this.#ended) return this.#out;
    for (const event of read.events) {
      this.#event(event.json);
      if (this.#ended) break;
    }
    const out = this.#out;
    this.#out = '';
    return out;
  }

  keepalive(): string {
    return this.start() + PING_FRAME;
  }

  end(): string {
    this.#out = this.start();
    if (this.#ended) return this.#out;
    this.#ended = true;
    this.#content(this.#splitter.flush());
    this.#closeBlock();
    this.#heldTools();
    if (this.#heldThinking) this.#thinkingBlock(this.#heldThinking);
    if (this.#heldText) this.#textBlock(this.#heldText);
    this.#closeBlock();
    const stop = anthropicStop(this.#finishReason, this.#matchedStop, this.#body.stop_sequences, this.#tools.calls.some((call) => call.block === 'closed'));
    const usage = this.#upstreamUsage.usage;
    const output = usage ? usage.completionTokens : this.#estimateOutput();
    // The prompt's count replaces message_start's rough figure (the SDKs take the later one): NIM's own, or the
    // tokenizer's estimate when NIM reported none.
    const input = `"input_tokens":${usage ? usage.promptTokens : this.#estimateInput()},`;
    this.#out += frame(
      'message_delta',
      `{"type":"message_delta","delta":{"stop_reason":"${stop.stopReason}","stop_sequence":${JSON.stringify(stop.stopSequence)}},` +
        `"usage":{${input}"output_tokens":${output}}}`,
    );
    this.#out += 'event: message_stop\ndata: {"type":"message_stop"}\n\n';
    const out = this.#out;
    this.#out = '';
    return out;
  }

  error(error: ProxyError): string {
    this.#ended = true;
    return this.start() + errorFrame(error);
  }

  get estimatedUsage(): TokenUsage | undefined {
    if (this.#upstreamUsage.usage) return undefined;
    const completionTokens = this.#estimateOutput();
    const promptTokens = this.#estimateInput();
    return { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens };
  }

  /** A piece of content, as the `<think>` splitter separated it. */
  #content(piece: SplitText): void {
    if (piece.reasoning.length > 0) this.#thinking(piece.reasoning);
    if (piece.text.length > 0) this.#text(piece.text);
  }

  #text(text: string): void {
    if (this.#toolsBegan) {
      this.#heldText += text;
      return;
    }
    if (this.#open !== 'text') this.#openBlock('text', TEXT_BLOCK);
    this.#produced.push(text);
    this.#out += blockDelta(this.#index, textDelta(text));
  }

  #thinking(text: string): void {
    if (this.#toolsBegan) {
      this.#heldThinking += text;
      return;
    }
    if (this.#open !== 'thinking') this.#openBlock('thinking', THINKING_BLOCK);
    this.#produced.push(text);
    this.#out += blockDelta(this.#index, thinkingDelta(text));
  }

  #event(json: unknown): void {
    if (typeof json !== 'object' || json === null) return;
    const chunk = json as { choices?: unknown; usage?: unknown; error?: unknown };
    if (chunk.usage !== undefined && chunk.usage !== null) this.#upstreamUsage.observe(extractUsage(chunk.usage));
    if (!Array.isArray(chunk.choices)) {
      const failure = upstreamStreamError(chunk, this.#context.backend);
      if (failure) {
        this.failure = failure;
        this.#out += this.error(failure);
      }
      return;
    }
    this.#markup?.rewrite(chunk);
    const choice = chunk.choices[0] as
      | { delta?: { content?: unknown; reasoning_content?: unknown; reasoning?: unknown; tool_calls?: unknown } | null; finish_reason?: unknown; stop_reason?: unknown }
      | undefined;
    if (!choice) return;
    const delta = choice.delta;
    if (delta) {
      const reasoning = reasoningOf(delta);
      if (reasoning.length > 0) this.#thinking(reasoning);
      if (typeof delta.content === 'string' && delta.content.length > 0) this.#content(this.#splitter.push(delta.content));
      if (Array.isArray(delta.tool_calls)) for (const call of delta.tool_calls) this.#toolDelta(call);
    }
    if (choice.finish_reason !== undefined && choice.finish_reason !== null) {
      this.#finishReason = choice.finish_reason;
      this.#matchedStop = choice.stop_reason;
    }
  }

  #toolDelta(delta: unknown): void {
    const pushed = this.#tools.push(delta);
    if (!pushed) return;
    const { call, piece } = pushed;
    if (call.block === 'open') {
      if (piece.length > 0) this.#sendArgs(call);
      return;
    }
    if (call.block !== 'pending') return; // cannot happen: blocks close only at the end
    // Opened once its name is known and its arguments begin (a name may come in pieces), and only when no other
    // call streams live (blocks cannot interleave) and no call before it waits (the blocks keep NIM's order).
    if (this.#openTool === undefined && call.name !== '' && call.args.length > 0 && !this.#tools.calls.some((other) => other.block === 'pending' && other.index < call.index)) {
      this.#content(this.#splitter.flush());
      this.#toolsBegan = true;
      this.#openToolBlock(call);
      this.#sendArgs(call);
    }
  }

  /**
   * The calls held back while another streamed live, each as a whole block; past the first sent, none when the
   * request allows one `tool_use` only (the live call, the first in NIM's order, is that one).
   */
  #heldTools(): void {
    const oneOnly = allowsOneToolUse(this.#body);
    let leftOver = 0;
    for (const call of this.#tools.calls) {
      if (call.block !== 'pending') continue;
      if (oneOnly && this.#tools.calls.some((other) => other.block === 'open' || other.block === 'closed')) {
        call.block = 'left-out';
        leftOver++;
        continue;
      }
      this.#wholeTool(call);
    }
    if (leftOver > 0) this.#context.log.warn({ tool_calls_left_out: leftOver }, EXTRA_TOOL_CALLS_LEFT_OUT);
  }

  #openToolBlock(call: ToolCallState): void {
    call.id = this.#toolUseIds.for(call.id, call.index);
    this.#openBlock('tool', toolUseBlock(call.id, call.name));
    call.block = 'open';
    this.#openTool = call;
  }

  #sendArgs(call: ToolCallState): void {
    const piece = call.args.slice(call.sent);
    call.sent = call.args.length;
    this.#produced.push(piece);
    this.#out += blockDelta(this.#index, inputJsonDelta(piece));
  }

  /**
   * A call that never streamed live: its whole input in one delta, the JSON closed if a build cut it short. Left
   * out when it has no name (no client can run it) or when the answer ran out of tokens inside it: a command cut
   * mid-way must not run.
   */
  #wholeTool(call: ToolCallState): void {
    if (call.name === '') {
      this.#context.log.warn({ tool_call_index: call.index }, 'NIM streamed a tool call without a function name; left out');
      call.block = 'left-out';
      return;
    }
    const completion = jsonCompletion(call.args);
    if (completion !== undefined && this.#finishReason === 'length') {
      this.#context.log.warn({ tool: call.name, tool_call_id: call.id }, 'the answer ran out of tokens inside a tool call; left out');
      call.block = 'left-out';
      return;
    }
    if (completion !== undefined) call.args += completion;
    this.#openToolBlock(call);
    this.#sendArgs(call);
    this.#closeBlock();
  }

  #openBlock(kind: Open, block: string): void {
    this.#closeBlock();
    this.#index++;
    this.#open = kind;
    this.#out += blockStart(this.#index, block);
  }

  #closeBlock(): void {
    if (this.#open === 'none') return;
    if (this.#open === 'thinking') this.#out += blockDelta(this.#index, SIGNATURE_DELTA);
    if (this.#open === 'tool' && this.#openTool) {
      const call = this.#openTool;
      const completion = jsonCompletion(call.args);
      // Out of tokens inside the arguments, the input stays as it came: closing it would make a cut command whole.
      if (completion !== undefined && this.#finishReason === 'length') {
        this.#context.log.warn({ tool: call.name, tool_call_id: call.id }, 'the answer ran out of tokens inside a tool call; its input was left as it came');
      } else if (completion !== undefined) {
        this.#context.log.warn({ tool: call.name, tool_call_id: call.id }, 'NIM cut a tool call\'s arguments short; the JSON was closed');
        call.args += completion;
        this.#sendArgs(call);
      }
      call.block = 'closed';
      this.#openTool = undefined;
    }
    this.#out += blockStop(this.#index);
    this.#open = 'none';
  }

  #thinkingBlock(text: string): void {
    this.#openBlock('thinking', THINKING_BLOCK);
    this.#produced.push(text);
    this.#out += blockDelta(this.#index, thinkingDelta(text));
  }

  #textBlock(text: string): void {
    this.#openBlock('text', TEXT_BLOCK);
    this.#produced.push(text);
    this.#out += blockDelta(this.#index, textDelta(text));
  }

  /** The tokenizer's count of the prompt, made once and only when NIM reported none. */
  #estimateInput(): number {
    return (this.#inputEstimate ??= estimateInputTokens(this.#body));
  }

  #estimateOutput(): number {
    this.#outputEstimate ??= countTextTokens(this.#produced.join(''));
    return this.#outputEstimate;
  }
}
