import type { ExchangeContext } from '../../exchange/front-end.js';
import type { MarkupCall, ParameterSchemas } from './parse-minimax-calls.js';
import { ToolMarkupReader, type MarkupPiece } from './tool-markup-reader.js';

export { MARKUP_TAG } from './tool-markup-reader.js';

/** The delta fields a model writes text to: its answer and its reasoning (NIM's two names for it). */
const TEXT_FIELDS = ['content', 'reasoning_content', 'reasoning'] as const;
type TextField = (typeof TEXT_FIELDS)[number];

/** The text and tool-call fields of a chat delta (or of a JSON answer's message). */
export interface TextDelta {
  content?: unknown;
  reasoning_content?: unknown;
  reasoning?: unknown;
  tool_calls?: unknown;
}

interface Choice {
  delta?: TextDelta | null;
  finish_reason?: unknown;
}

/**
 * Rewrites a chat stream's chunks, before a front end reads them, so that tool calls a model wrote as markup in
 * its text (see ToolMarkupReader) arrive as the `tool_calls` deltas they stand for: the markup leaves the text, and
 * each call comes whole (name and arguments in one delta; an id only when the front end asks, others give ids as
 * they do to NIM's own calls). Every call, NIM's own or read from markup, gets its own index in the order they
 * began, so clients that gather deltas by index never merge two. What is held when the answer ends (its
 * `finish_reason`) is given out with that chunk. Used only for a model that writes such markup, on a request that
 * offers tools (see readsToolMarkup): text costs it one `indexOf('<')` per delta.
 */
export class ChunkToolMarkup {
  readonly #schemas: ParameterSchemas;
  readonly #log: ExchangeContext['log'];
  readonly #callId: ((index: number) => string) | undefined;
  readonly #readers = new Map<TextField, ToolMarkupReader>();
  /** The index the next call takes, NIM's own or one read from markup: each call gets its own, in order. */
  #nextIndex = 0;
  /** NIM's own calls' indices → the indices they are passed on with (after the markup calls before them). */
  readonly #own = new Map<number, number>();
  #called = false;

  /** `callId`: the id each call gets, for a front end that passes the deltas on (others give ids themselves). */
  constructor(schemas: ParameterSchemas, log: ExchangeContext['log'], callId?: (index: number) => string) {
    this.#schemas = schemas;
    this.#log = log;
    this.#callId = callId;
  }

  /** Rewrites the chunk's first choice in place (the proxy asks for one choice). */
  rewrite(chunk: { choices?: unknown }): void {
    if (!Array.isArray(chunk.choices)) return;
    const choice = chunk.choices[0] as Choice | undefined;
    if (typeof choice !== 'object' || choice === null) return;
    let calls: MarkupCall[] | undefined;
    const delta = choice.delta;
    if (typeof delta === 'object' && delta !== null) {
      for (const field of TEXT_FIELDS) {
        const value = delta[field];
        if (typeof value !== 'string' || value === '') continue;
        const piece = this.#reader(field).push(value);
        if (piece.text !== value) delta[field] = piece.text;
        if (piece.calls.length > 0) (calls ??= []).push(...piece.calls);
      }
      if (Array.isArray(delta.tool_calls)) {
        // A call without an index (a JSON answer's message) is numbered by its place, as the front ends number it.
        (delta.tool_calls as ({ index?: unknown } | null)[]).forEach((call, position) => {
          if (call === null || typeof call !== 'object') return;
          const index = typeof call.index === 'number' ? call.index : position;
          let mapped = this.#own.get(index);
          if (mapped === undefined) this.#own.set(index, (mapped = this.#nextIndex++));
          if (mapped !== index) call.index = mapped;
        });
      }
    }
    if (choice.finish_reason !== undefined && choice.finish_reason !== null && this.#readers.size > 0) {
      for (const [field, reader] of this.#readers) {
        const rest = reader.flush();
        if (rest.text !== '') {
          const target = (choice.delta ??= {});
          target[field] = (typeof target[field] === 'string' ? target[field] : '') + rest.text;
        }
        if (rest.calls.length > 0) (calls ??= []).push(...rest.calls);
        this.#reportCut(rest, choice.finish_reason);
      }
    }
    if (calls !== undefined) {
      const target = (choice.delta ??= {});
      const own = Array.isArray(target.tool_calls) ? (target.tool_calls as unknown[]) : [];
      target.tool_calls = [...own, ...calls.map((call) => this.#toolCall(call))];
      this.#called = true;
    }
    // The answer called tools: it ends as a parser would have ended it.
    if (this.#called && choice.finish_reason === 'stop') choice.finish_reason = 'tool_calls';
  }

  #toolCall(call: MarkupCall): Record<string, unknown> {
    const index = this.#nextIndex++;
    const id = this.#callId?.(index);
    return { index, ...(id === undefined ? {} : { id }), type: 'function', function: { name: call.name, arguments: call.arguments } };
  }

  #reader(field: TextField): ToolMarkupReader {
    let reader = this.#readers.get(field);
    if (reader === undefined) this.#readers.set(field, (reader = new ToolMarkupReader(this.#schemas)));
    return reader;
  }

  #reportCut(piece: MarkupPiece, finishReason: unknown): void {
    if (!piece.cut) return;
    this.#log.warn({ finish_reason: finishReason }, "the answer ended inside a tool call written as MiniMax markup; the unfinished call was left out");
  }
}

/**
 * Takes the markup out of a non-streamed answer's choice, in place: its message's text fields lose the markup, its
 * `tool_calls` gain the calls after NIM's own, and a `stop` becomes `tool_calls` when there were calls.
 */
export function rewriteAnswerToolMarkup(choice: { message?: TextDelta | null; finish_reason?: unknown }, schemas: ParameterSchemas, log: ExchangeContext['log']): void {
  const message = choice.message;
  if (typeof message !== 'object' || message === null) return;
  const finished = { delta: message, finish_reason: choice.finish_reason ?? 'stop' };
  new ChunkToolMarkup(schemas, log).rewrite({ choices: [finished] });
  // A message's calls are in order and carry no index (that is a stream delta's field).
  if (Array.isArray(message.tool_calls)) for (const call of message.tool_calls as { index?: unknown }[]) delete call.index;
  if (choice.finish_reason !== undefined && choice.finish_reason !== null) choice.finish_reason = finished.finish_reason;
  else if (finished.finish_reason === 'tool_calls') choice.finish_reason = 'tool_calls';
}

/**
 * Whether a model's text is read for tool-call markup: only when the request offers tools the model may call (as a
 * tool parser would run only then; otherwise the markup is text the model wrote, e.g. an example), and the model
 * writes it — its `tool_markup` setting, else whether its id names MiniMax.
 */
export function readsToolMarkup(context: Pick<ExchangeContext, 'modelSettings' | 'upstreamModel'>, offersTools: boolean): boolean {
  if (!offersTools) return false;
  const setting = context.modelSettings.toolMarkup;
  return setting === undefined ? /minimax/i.test(context.upstreamModel) : setting === 'minimax';
}
