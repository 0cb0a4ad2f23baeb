/* eslint-disable @typescript-eslint/no-explicit-any -- events and requests are read back as loose JSON; the expectations check them */
import { StringDecoder } from 'node:string_decoder';
import { readUsage, type ChatStreamEvent, type ChatStreamRead } from '@proxy/core';
import type { ExchangeContext } from '../../exchange/front-end.js';

// Test helpers only (not exported from the package): upstream reads as the exchange hands them to an encoder, and
// the Anthropic stream an encoder wrote, read back event by event with the protocol's rules checked.

export function context(overrides: Partial<ExchangeContext> = {}): ExchangeContext & { warnings: string[] } {
  const warnings: string[] = [];
  return {
    requestId: 'req1',
    clientModel: 'claude-sonnet-4-5',
    backend: 'nvidia',
    upstreamModel: 'meta/llama-3.3-70b-instruct',
    modelSettings: {},
    created: 1_700_000_000,
    log: { warn: (_fields, message) => void warnings.push(message), debug: () => undefined },
    warnings,
    ...overrides,
  };
}

function event(data: string): ChatStreamEvent {
  let json: unknown;
  let parsed = false;
  return {
    data,
    get json() {
      if (!parsed) {
        parsed = true;
        try {
          json = JSON.parse(data);
        } catch {
          json = undefined;
        }
      }
      return json;
    },
    get usage() {
      return readUsage(data)?.usage;
    },
    get usageOnly() {
      return readUsage(data)?.usageOnly ?? false;
    },
  };
}

/** Upstream SSE bytes, delivered in the given pieces, as the reads the stream contract yields (to `[DONE]`). */
export function readsOf(pieces: readonly Uint8Array[]): ChatStreamRead[] {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  let done = false;
  const reads: ChatStreamRead[] = [];
  for (const piece of pieces) {
    if (done) break;
    pending += decoder.write(Buffer.from(piece));
    const events: ChatStreamEvent[] = [];
    let end: number;
    while (!done && (end = pending.indexOf('\n\n')) >= 0) {
      const frame = pending.slice(0, end);
      pending = pending.slice(end + 2);
      const data = frame
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).trimStart())
        .join('\n');
      if (data === '[DONE]') done = true;
      else if (data) events.push(event(data));
    }
    if (events.length > 0) {
      const bytes = events.map((e) => `data: ${e.data}\n\n`).join('');
      reads.push({ bytes, withoutUsageOnly: () => bytes, events });
    }
  }
  return reads;
}

/** `chunks` as SSE text ending in `[DONE]`. */
export function sse(chunks: readonly unknown[]): string {
  return chunks.map((chunk) => `data: ${JSON.stringify(chunk)}\n\n`).join('') + 'data: [DONE]\n\n';
}

export function chunk(delta: Record<string, unknown>, finish: string | null = null, extra: Record<string, unknown> = {}): unknown {
  return { id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }], ...extra };
}

export interface AnthropicEvent {
  event: string;
  data: Record<string, any>;
}

/** Splits the encoder's output into events and checks the protocol: order, one block at a time, no `[DONE]`. */
export function anthropicEvents(text: string): AnthropicEvent[] {
  if (text.includes('[DONE]')) throw new Error('an Anthropic stream never carries [DONE]');
  const events: AnthropicEvent[] = [];
  for (const frame of text.split('\n\n')) {
    if (!frame) continue;
    const lines = frame.split('\n');
    if (lines.length !== 2 || !lines[0]!.startsWith('event: ') || !lines[1]!.startsWith('data: ')) throw new Error(`bad frame ${frame}`);
    const name = lines[0]!.slice(7);
    const data = JSON.parse(lines[1]!.slice(6)) as Record<string, any>;
    if (data.type !== name) throw new Error(`event ${name} carries type ${String(data.type)}`);
    events.push({ event: name, data });
  }
  const real = events.filter((e) => e.event !== 'ping');
  if (real[0]?.event !== 'message_start') throw new Error('message_start must come first');
  let open: number | undefined;
  let next = 0;
  for (const e of real.slice(1)) {
    if (e.event === 'content_block_start') {
      if (open !== undefined || e.data.index !== next) throw new Error(`block ${e.data.index} started out of turn`);
      open = next++;
    } else if (e.event === 'content_block_delta') {
      if (e.data.index !== open) throw new Error(`delta for block ${e.data.index} while ${open} is open`);
    } else if (e.event === 'content_block_stop') {
      if (e.data.index !== open) throw new Error(`stop of block ${e.data.index} while ${open} is open`);
      open = undefined;
    } else if (e.event === 'message_delta') {
      // An `error` may come at any point (Anthropic's own streams fail mid-block), a message_delta only after the blocks.
      if (open !== undefined) throw new Error(`${e.event} while block ${open} is open`);
    }
  }
  const last = real.at(-1)!.event;
  if (last !== 'message_stop' && last !== 'error') throw new Error(`stream ends with ${last}`);
  if (last === 'message_stop' && real.at(-2)?.event !== 'message_delta') throw new Error('message_delta must come before message_stop');
  return events;
}

export interface AccumulatedMessage {
  content: Array<Record<string, any>>;
  stopReason: string | undefined;
  usage: Record<string, number>;
}

/** The message a client builds from the events, as the SDKs do (input JSON parsed at block stop). */
export function accumulate(events: readonly AnthropicEvent[]): AccumulatedMessage {
  const message: AccumulatedMessage = { content: [], stopReason: undefined, usage: {} };
  let json = '';
  for (const { event, data } of events) {
    if (event === 'message_start') Object.assign(message.usage, data.message.usage);
    else if (event === 'content_block_start') {
      message.content.push({ ...data.content_block });
      json = '';
    } else if (event === 'content_block_delta') {
      const block = message.content[data.index]!;
      const delta = data.delta;
      if (delta.type === 'text_delta') block.text += delta.text;
      else if (delta.type === 'thinking_delta') block.thinking += delta.thinking;
      else if (delta.type === 'signature_delta') block.signature = delta.signature;
      else if (delta.type === 'input_json_delta') json += delta.partial_json;
    } else if (event === 'content_block_stop') {
      const block = message.content[data.index]!;
      if (block.type === 'tool_use') block.input = JSON.parse(json);
    } else if (event === 'message_delta') {
      message.stopReason = data.delta.stop_reason;
      Object.assign(message.usage, data.usage);
    }
  }
  return message;
}
