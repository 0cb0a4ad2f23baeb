import { randomBytes } from 'node:crypto';
import type { TokenUsage } from '@proxy/core';
import type { ExchangeContext } from '../../exchange/front-end.js';
import type { ResponsesRequest } from './request-schema.js';

/** An output item as the Responses API shows it. */
export type OutputItem =
  | { id: string; type: 'reasoning'; summary: { type: 'summary_text'; text: string }[]; encrypted_content?: string }
  | {
      id: string;
      type: 'message';
      /** `incomplete`: the answer's limit (tokens, or a content filter) cut this message, as OpenAI marks it. */
      status: 'in_progress' | 'completed' | 'incomplete';
      role: 'assistant';
      content: OutputText[];
    }
  | {
      id: string;
      type: 'function_call';
      /** `incomplete`: the answer ran out of tokens inside the call's arguments, which are left as they came. */
      status: 'in_progress' | 'completed' | 'incomplete';
      call_id: string;
      name: string;
      namespace?: string;
      arguments: string;
    };
export interface OutputText {
  type: 'output_text';
  text: string;
  annotations: [];
  logprobs: [];
}

export interface ResponsesUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

export type ResponseStatus = 'in_progress' | 'completed' | 'incomplete' | 'failed';

export interface ResponseState {
  status: ResponseStatus;
  output: readonly OutputItem[];
  usage: ResponsesUsage | null;
  error?: { code: string; message: string } | null;
  incompleteReason?: string | undefined;
}

/**
 * The parts of a `response` object that do not change while it streams: the request's settings echoed back, as
 * OpenAI does. `store` is false whatever the client asked: nothing is kept.
 */
export function responseHeader(body: ResponsesRequest, context: ExchangeContext, id: string): Record<string, unknown> {
  return {
    id,
    object: 'response',
    created_at: context.created,
    model: context.clientModel,
    background: false,
    instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    parallel_tool_calls: body.parallel_tool_calls ?? true,
    previous_response_id: null,
    reasoning: { effort: body.reasoning?.effort ?? null, summary: body.reasoning?.summary ?? null },
    store: false,
    temperature: body.temperature ?? null,
    text: { format: body.text?.format ?? { type: 'text' } },
    tool_choice: body.tool_choice ?? 'auto',
    tools: body.tools ?? [],
    top_p: body.top_p ?? null,
    truncation: 'disabled',
    metadata: {},
  };
}

/** `responseHeader` as JSON members (no braces), written once per response and reused by each of its events. */
export function headerJson(header: Record<string, unknown>): string {
  return JSON.stringify(header).slice(1, -1);
}

/**
 * A `response` object as JSON text: the header's members, then the state's. Built as text because a stream writes
 * the response three times or more, and spreading the header into a fresh object each time cost more than the
 * whole rest of the encoder.
 */
export function responseJson(header: string, state: ResponseState, extra = ''): string {
  const error = state.error ? JSON.stringify(state.error) : 'null';
  const incomplete = state.incompleteReason ? `{"reason":${JSON.stringify(state.incompleteReason)}}` : 'null';
  const output = state.output.length === 0 ? '[]' : JSON.stringify(state.output);
  const usage = state.usage ? JSON.stringify(state.usage) : 'null';
  return `{${header},"status":"${state.status}","error":${error},"incomplete_details":${incomplete},"output":${output},"usage":${usage}${extra}}`;
}

/** The response's id: the request's id when it is a plain token (so logs and answers match), else a fresh one. */
export function responseIdBase(context: ExchangeContext): string {
  return /^[A-Za-z0-9_-]{1,64}$/.test(context.requestId) ? context.requestId : randomBytes(8).toString('hex');
}

/** The status a chat `finish_reason` means; `length` and `content_filter` are an incomplete response. */
export function statusOf(finishReason: string | null | undefined): { status: 'completed' | 'incomplete'; incompleteReason?: string } {
  if (finishReason === 'length') return { status: 'incomplete', incompleteReason: 'max_output_tokens' };
  if (finishReason === 'content_filter') return { status: 'incomplete', incompleteReason: 'content_filter' };
  return { status: 'completed' };
}

/** Chat usage as Responses usage; the reasoning and cached counts when the upstream reported them. */
export function toResponsesUsage(usage: unknown): ResponsesUsage | undefined {
  if (typeof usage !== 'object' || usage === null) return undefined;
  const record = usage as Record<string, unknown>;
  const input = count(record.prompt_tokens) ?? 0;
  const output = count(record.completion_tokens) ?? 0;
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: count(detail(record.prompt_tokens_details, 'cached_tokens')) ?? 0 },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: count(detail(record.completion_tokens_details, 'reasoning_tokens')) ?? 0 },
    total_tokens: count(record.total_tokens) ?? input + output,
  };
}

/**
 * A stand-in when the upstream reported no usage: about four characters a token, the prompt included — Codex
 * watches `input_tokens` to know when to compact its context, and a 0 there would let it run into the model's
 * window.
 */
export function estimatedResponsesUsage(outputChars: number, body: ResponsesRequest): ResponsesUsage {
  const input = Math.ceil(promptChars(body) / 4);
  const output = Math.ceil(outputChars / 4);
  return { input_tokens: input, input_tokens_details: { cached_tokens: 0 }, output_tokens: output, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: input + output };
}

/** Responses usage as the exchange accounts it (the log line and the token metrics). */
export function asTokenUsage(usage: ResponsesUsage): TokenUsage {
  return { promptTokens: usage.input_tokens, completionTokens: usage.output_tokens, totalTokens: usage.total_tokens };
}

/**
 * What one image is counted as: a round figure in the range vision models spend on one (OpenAI counts 85 tokens
 * for low detail, about 1,100 for a high-detail 1024×1024 image). Its data URL's characters would count a
 * screenshot as hundreds of thousands of tokens, more than a model's whole window.
 */
const IMAGE_CHARS = 1_000 * 4;

/**
 * The prompt's characters: instructions, the input items and the tool definitions, as JSON text (a rough upper
 * bound). An image counts as IMAGE_CHARS; what never reaches NIM (another provider's `encrypted_content`, a file's
 * bytes) counts nothing.
 */
function promptChars(body: ResponsesRequest): number {
  let images = 0;
  const replacer = (key: string, value: unknown): unknown => {
    if (key === 'encrypted_content' || key === 'file_data') return undefined;
    if (key === 'image_url' && typeof value === 'string') {
      images += 1;
      return '';
    }
    return value;
  };
  const input = JSON.stringify(body.input ?? [], replacer).length;
  return (body.instructions?.length ?? 0) + input + images * IMAGE_CHARS + (body.tools ? JSON.stringify(body.tools).length : 0);
}

/** The characters the model wrote, for the estimate. */
export function outputChars(output: readonly OutputItem[]): number {
  let chars = 0;
  for (const item of output) {
    if (item.type === 'reasoning') for (const part of item.summary) chars += part.text.length;
    else if (item.type === 'message') for (const part of item.content) chars += part.text.length;
    else chars += item.name.length + item.arguments.length;
  }
  return chars;
}

function detail(details: unknown, key: string): unknown {
  return typeof details === 'object' && details !== null ? (details as Record<string, unknown>)[key] : undefined;
}

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}
