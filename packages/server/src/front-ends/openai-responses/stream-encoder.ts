import { upstreamStreamError, type ChatStreamRead, type ProxyError, type TokenUsage } from '@proxy/core';
import type { ExchangeContext, StreamEncoder } from '../../exchange/front-end.js';
import { carriesReasoning, reasoningItem } from './carried-reasoning.js';
import { allowsOneCall, EXTRA_CALLS_LEFT_OUT, type ResponsesRequest } from './request-schema.js';
import {
  asTokenUsage,
  estimatedResponsesUsage,
  outputChars,
  headerJson,
  responseHeader,
  responseIdBase,
  responseJson,
  statusOf,
  toResponsesUsage,
  type OutputItem,
  type ResponseState,
} from './response-object.js';
import { streamErrorCode } from './render-error.js';
import { jsonCompletion } from '../complete-json.js';
import { reasoningOf } from '../reasoning-field.js';
import { ThinkSplitter } from '../think-splitter.js';
import { ChunkToolMarkup, readsToolMarkup } from '../tool-markup/chunk-tool-markup.js';
import { chatToolSchemas } from '../tool-markup/parse-minimax-calls.js';
import { offersResponsesTools, toChatTools } from './to-chat-tools.js';
import type { ToolNames } from './tool-names.js';
import { UniqueCallIds } from '../unique-call-ids.js';

/** An SSE event: `event:` names it (OpenAI sends both), `data` carries the same `type` and its sequence number. */
function frame(type: string, sequence: number, fields: string): string {
  return `event: ${type}\ndata: {"type":"${type}",${fields ? `${fields},` : ''}"sequence_number":${sequence}}\n\n`;
}
const json = JSON.stringify;

/** A function call being streamed; NIM's deltas are keyed by `index`. */
interface OpenCall {
  index: number;
  id: string | undefined;
  name: string;
  args: string;
  /** Set once `output_item.added` went out: not before the name is known. */
  item?: Extract<OutputItem, { type: 'function_call' }>;
  outputIndex: number;
}

interface OpenText {
  kind: 'reasoning' | 'message';
  id: string;
  outputIndex: number;
  text: string;
  /** The constant start of this item's delta events, so a delta costs one string escape. */
  deltaHead: string;
}

interface ChunkDelta {
  content?: unknown;
  reasoning_content?: unknown;
  reasoning?: unknown;
  tool_calls?: unknown;
}

/**
 * One chat stream as Responses events, in the order Codex and the SDKs need: `response.created` and
 * `response.in_progress`; per output item `output_item.added`, its deltas, its `.done` events and
 * `output_item.done` with the whole item; then `response.completed` (or `response.incomplete`) with usage. A
 * stream the upstream cut (an error, or a body that ended without a `finish_reason`) ends in `response.failed`:
 * Codex retries that, where a `response.completed` would make it keep half an answer.
 *
 * NIM's tool-call quirks are repaired on the way: deltas after the first carry no id (the call is found by its
 * `index`), some builds repeat the whole name in every delta (the first name is kept), parallel calls interleave
 * by index (each has its own item), ids may be numbers or missing (every id sent is a string).
 */
export class ResponsesStreamEncoder implements StreamEncoder {
  private sequence = 0;
  private readonly header: string;
  private readonly base: string;
  private readonly names: ToolNames;
  private readonly log: ExchangeContext['log'];
  /** Finished items by output index (an item still open when a stream fails is not in its response). */
  private readonly output: OutputItem[] = [];
  private nextIndex = 0;
  private text: OpenText | undefined;
  private readonly calls = new Map<number, OpenCall>();
  private readonly think = new ThinkSplitter();
  /** Tool calls a model wrote as markup in its text become tool_calls deltas before they are read. */
  private readonly markup: ChunkToolMarkup | undefined;
  private callCount = 0;
  /** The request allows one function call (see allowsOneCall); the ones past it are counted, not sent. */
  private readonly oneCall: boolean;
  private leftOut = 0;
  /** Each call of an answer needs its own call_id: the client pairs outputs with calls by it. */
  private readonly callIds: UniqueCallIds;
  private unindexed = 0;
  private finishReason: string | undefined;
  private rawUsage: unknown;
  private finished = false;
  private readonly backend: string;
  private readonly body: ResponsesRequest;
  /** The error the upstream reported inside its stream, which ended it. */
  failure: ProxyError | undefined;

  constructor(body: ResponsesRequest, context: ExchangeContext) {
    this.body = body;
    this.oneCall = allowsOneCall(body);
    this.base = responseIdBase(context);
    this.callIds = new UniqueCallIds(() => [], (index) => `call_${this.base}_${index}`);
    this.header = headerJson(responseHeader(body, context, `resp_${this.base}`));
    this.names = toChatTools(body).names;
    this.log = context.log;
    this.backend = context.backend;
    this.markup = readsToolMarkup(context, offersResponsesTools(body)) ? new ChunkToolMarkup(chatToolSchemas(toChatTools(body).tools), context.log) : undefined;
  }

  get estimatedUsage(): TokenUsage | undefined {
    if (this.rawUsage !== undefined) return undefined;
    return asTokenUsage(estimatedResponsesUsage(outputChars(this.output), this.body));
  }

  start(): string {
    const response = responseJson(this.header, { status: 'in_progress', output: [], usage: null });
    return this.event('response.created', `"response":${response}`) + this.event('response.in_progress', `"response":${response}`);
  }

  read(read: ChatStreamRead): string {
    let out = '';
    for (const event of read.events) {
      if (this.finished) break;
      const chunk = event.json as { choices?: unknown; usage?: unknown; error?: unknown } | undefined;
      if (!chunk || typeof chunk !== 'object') continue;
      if (chunk.usage) this.rawUsage = chunk.usage;
      const failure = upstreamStreamError(chunk, this.backend);
      if (failure) {
        this.failure = failure;
        out += this.error(failure);
        break;
      }
      this.markup?.rewrite(chunk);
      const choice = Array.isArray(chunk.choices) ? (chunk.choices[0] as { delta?: ChunkDelta; finish_reason?: unknown } | undefined) : undefined;
      if (!choice) continue;
      const delta = choice.delta;
      if (delta) {
        const reasoning = reasoningOf(delta);
        if (reasoning) out += this.textDelta('reasoning', reasoning);
        if (typeof delta.content === 'string' && delta.content) {
          const split = this.think.push(delta.content);
          if (split.reasoning) out += this.textDelta('reasoning', split.reasoning);
          if (split.text) out += this.textDelta('message', split.text);
        }
        if (Array.isArray(delta.tool_calls)) for (const call of delta.tool_calls as unknown[]) out += this.callDelta(call);
      }
      if (typeof choice.finish_reason === 'string' && choice.finish_reason) {
        this.finishReason = choice.finish_reason;
        out += this.closeAll();
      }
    }
    return out;
  }

  keepalive(): string {
    // OpenAI's own keep-alive event, which the openai SDKs skip. Not an SSE comment: Codex times a stream out after
    // `stream_idle_timeout_ms` (300 s by default) without an event, and a comment is none, so it would give up on
    // (and retry, at NIM's cost again) an answer a slow model is still thinking about.
    return this.event('keepalive', '');
  }

  end(): string {
    if (this.finished) return '';
    if (this.finishReason === undefined) {
      return this.failed('server_error', 'The upstream stream ended before the model finished its answer (no finish_reason).');
    }
    this.finished = true;
    const out = this.closeAll();
    if (this.leftOut > 0) this.log.warn({ tool_calls_left_out: this.leftOut }, EXTRA_CALLS_LEFT_OUT);
    const { status, incompleteReason } = statusOf(this.finishReason);
    const state: ResponseState = { status, incompleteReason, output: this.sortedOutput(), usage: this.usage() };
    const type = status === 'completed' ? 'response.completed' : 'response.incomplete';
    return out + this.event(type, `"response":${responseJson(this.header, state)}`);
  }

  error(error: ProxyError): string {
    if (this.finished) return '';
    return this.failed(streamErrorCode(error), error.message);
  }

  private failed(code: string, message: string): string {
    this.finished = true;
    const state: ResponseState = { status: 'failed', error: { code, message }, output: this.sortedOutput(), usage: this.usage() };
    return this.event('response.failed', `"response":${responseJson(this.header, state)}`);
  }

  private usage(): ResponseState['usage'] {
    return toResponsesUsage(this.rawUsage) ?? estimatedResponsesUsage(outputChars(this.output), this.body);
  }

  private event(type: string, fields: string): string {
    return frame(type, this.sequence++, fields);
  }

  /** Reasoning or answer text: the open item of that kind takes it, else the other kind closes and one opens. */
  private textDelta(kind: OpenText['kind'], delta: string): string {
    let out = '';
    let open = this.text;
    if (open?.kind !== kind || this.calls.size > 0) {
      out += this.closeItems();
      open = this.openText(kind);
      out += open.kind === 'reasoning' ? this.openReasoning(open) : this.openMessage(open);
    }
    open.text += delta;
    return `${out}${open.deltaHead}${json(delta)},"sequence_number":${this.sequence++}}\n\n`;
  }

  private openText(kind: OpenText['kind']): OpenText {
    const outputIndex = this.nextIndex++;
    const id = `${kind === 'reasoning' ? 'rs' : 'msg'}_${this.base}_${outputIndex}`;
    const type = kind === 'reasoning' ? 'response.reasoning_summary_text.delta' : 'response.output_text.delta';
    const where = kind === 'reasoning' ? `"summary_index":0` : `"content_index":0,"logprobs":[]`;
    const text: OpenText = { kind, id, outputIndex, text: '', deltaHead: `event: ${type}\ndata: {"type":"${type}","item_id":"${id}","output_index":${outputIndex},${where},"delta":` };
    this.text = text;
    return text;
  }

  private openReasoning(open: OpenText): string {
    const at = `"item_id":"${open.id}","output_index":${open.outputIndex}`;
    return (
      this.event('response.output_item.added', `"output_index":${open.outputIndex},"item":${json({ id: open.id, type: 'reasoning', summary: [] })}`) +
      this.event('response.reasoning_summary_part.added', `${at},"summary_index":0,"part":{"type":"summary_text","text":""}`)
    );
  }

  private openMessage(open: OpenText): string {
    const item = { id: open.id, type: 'message', status: 'in_progress', role: 'assistant', content: [] };
    return (
      this.event('response.output_item.added', `"output_index":${open.outputIndex},"item":${json(item)}`) +
      this.event('response.content_part.added', `"item_id":"${open.id}","output_index":${open.outputIndex},"content_index":0,"part":{"type":"output_text","text":"","annotations":[],"logprobs":[]}`)
    );
  }

  private closeText(): string {
    const open = this.text;
    if (!open) return '';
    this.text = undefined;
    const at = `"item_id":"${open.id}","output_index":${open.outputIndex}`;
    const text = json(open.text);
    if (open.kind === 'reasoning') {
      const item = reasoningItem(open.id, open.text, carriesReasoning(this.body));
      this.output[open.outputIndex] = item;
      return (
        this.event('response.reasoning_summary_text.done', `${at},"summary_index":0,"text":${text}`) +
        this.event('response.reasoning_summary_part.done', `${at},"summary_index":0,"part":{"type":"summary_text","text":${text}}`) +
        this.event('response.output_item.done', `"output_index":${open.outputIndex},"item":${json(item)}`)
      );
    }
    const part = { type: 'output_text' as const, text: open.text, annotations: [] as [], logprobs: [] as [] };
    // A message still open when the answer ended incomplete is the one its limit cut (one closed earlier, before a
    // call, was finished): OpenAI says so on the item too.
    const status = this.finishReason !== undefined && statusOf(this.finishReason).status === 'incomplete' ? 'incomplete' : 'completed';
    const item: OutputItem = { id: open.id, type: 'message', status, role: 'assistant', content: [part] };
    this.output[open.outputIndex] = item;
    return (
      this.event('response.output_text.done', `${at},"content_index":0,"text":${text},"logprobs":[]`) +
      this.event('response.content_part.done', `${at},"content_index":0,"part":${json(part)}`) +
      this.event('response.output_item.done', `"output_index":${open.outputIndex},"item":${json(item)}`)
    );
  }

  private callDelta(raw: unknown): string {
    if (typeof raw !== 'object' || raw === null) return '';
    const delta = raw as { index?: unknown; id?: unknown; function?: { name?: unknown; arguments?: unknown } };
    let out = this.closeText();
    const id = delta.id === undefined || delta.id === null || delta.id === '' ? undefined : String(delta.id);
    const index = typeof delta.index === 'number' ? delta.index : this.indexOf(id);
    let call = this.calls.get(index);
    if (call && id !== undefined && call.id !== undefined && id !== call.id && call.name) {
      // A new id at an index in use: a build that numbers every call 0. The earlier call is complete.
      out += this.closeCall(call);
      call = undefined;
    }
    if (!call) {
      call = { index, id, name: '', args: '', outputIndex: -1 };
      this.calls.set(index, call);
    } else if (call.id === undefined && id !== undefined && !call.item) call.id = id;
    const name = delta.function?.name;
    if (!call.name && typeof name === 'string' && name) call.name = name; // later names repeat it (MiniMax)
    const args = delta.function?.arguments;
    const piece = typeof args === 'string' ? args : args === undefined || args === null ? '' : json(args);
    if (!call.item) {
      call.args += piece;
      if (call.name && !this.pastOneCall()) out += this.addCall(call);
    } else if (piece) {
      call.args += piece;
      call.item.arguments = call.args;
      out += this.event('response.function_call_arguments.delta', `"item_id":"${call.item.id}","output_index":${call.outputIndex},"delta":${json(piece)}`);
    }
    return out;
  }

  /** The index of the open call with this id; a delta with neither index nor a known id continues the last call. */
  private indexOf(id: string | undefined): number {
    let last: number | undefined;
    for (const call of this.calls.values()) {
      if (id !== undefined && call.id === id) return call.index;
      last = call.index;
    }
    return id === undefined && last !== undefined ? last : 1_000_000 + this.unindexed++;
  }

  private addCall(call: OpenCall): string {
    call.outputIndex = this.nextIndex++;
    const client = this.names.original(call.name);
    const callId = this.callIds.for(call.id, this.callCount);
    call.item = {
      id: `fc_${this.base}_${call.outputIndex}`,
      type: 'function_call',
      status: 'in_progress',
      call_id: callId,
      name: client.name,
      ...(client.namespace ? { namespace: client.namespace } : {}),
      arguments: '',
    };
    this.callCount += 1;
    let out = this.event('response.output_item.added', `"output_index":${call.outputIndex},"item":${json(call.item)}`);
    call.item.arguments = call.args;
    if (call.args) out += this.event('response.function_call_arguments.delta', `"item_id":"${call.item.id}","output_index":${call.outputIndex},"delta":${json(call.args)}`);
    return out;
  }

  /** A call not sent yet may no longer be: the request allows one, and one went out. */
  private pastOneCall(): boolean {
    return this.oneCall && this.callCount > 0;
  }

  private closeCall(call: OpenCall): string {
    this.calls.delete(call.index);
    if (!call.item && call.name && this.pastOneCall()) {
      this.leftOut++;
      return '';
    }
    if (!call.item && !call.name) {
      // Nothing of it was sent (an item goes out once its name is known), and a client cannot run a call without one.
      this.log.warn({ tool_call_index: call.index }, 'NIM streamed a tool call without a function name; left out');
      return '';
    }
    let out = '';
    const completion = jsonCompletion(call.args);
    // Out of tokens inside the arguments, the call is unfinished: it goes out as it came, `incomplete`, so that no
    // client runs a command cut mid-way (Codex refuses arguments that do not parse).
    const cut = completion !== undefined && this.finishReason === 'length';
    if (cut) this.log.warn({ tool: call.name, tool_call_id: call.id }, 'the answer ran out of tokens inside a tool call; sent as incomplete');
    else if (completion !== undefined) {
      // Some GLM builds cut a call's argument JSON short on a normal finish: what went out stays, and the JSON is closed after it.
      this.log.warn({ tool: call.name, tool_call_id: call.id }, "NIM cut a tool call's arguments short; the JSON was closed");
      call.args += completion;
      if (call.item) out += this.event('response.function_call_arguments.delta', `"item_id":"${call.item.id}","output_index":${call.outputIndex},"delta":${json(completion)}`);
    }
    if (!call.item) out += this.addCall(call);
    const item = call.item!;
    item.status = cut ? 'incomplete' : 'completed';
    item.arguments = call.args;
    this.output[call.outputIndex] = { ...item };
    out += this.event('response.function_call_arguments.done', `"item_id":"${item.id}","output_index":${call.outputIndex},"name":${json(item.name)},"arguments":${json(call.args)}`);
    return out + this.event('response.output_item.done', `"output_index":${call.outputIndex},"item":${json(item)}`);
  }

  /** At the end of the answer: the `<think>` splitter's held bytes, then every open item closes. */
  private closeAll(): string {
    let out = '';
    const held = this.think.flush();
    if (held.reasoning) out += this.textDelta('reasoning', held.reasoning);
    if (held.text) out += this.textDelta('message', held.text);
    return out + this.closeItems();
  }

  /** Closes the open items, in the order they were opened. */
  private closeItems(): string {
    let out = this.closeText();
    const calls = [...this.calls.values()].sort((a, b) => (a.item ? a.outputIndex : Infinity) - (b.item ? b.outputIndex : Infinity));
    for (const call of calls) out += this.closeCall(call);
    return out;
  }

  private sortedOutput(): OutputItem[] {
    return this.output.filter((item) => item !== undefined);
  }
}
