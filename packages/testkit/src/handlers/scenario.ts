/**
 * What the mock does for one request. Every field is optional; layers (handler options, `setScenario`, queued
 * scenarios, the in-body directive) are merged with {@link mergeScenarios}, the most specific layer winning.
 */
export interface Scenario {
  /** Something going wrong instead of (or in the middle of) the normal answer. */
  fault?: Fault;
  timing?: Timing;
  stream?: StreamShape;
  /**
   * Where the model's reasoning goes. Defaults to the catalog entry's `reasoning`
   * (`'none'` for unknown / non-reasoning models).
   */
  reasoning?: ReasoningMode;
  /** Replaces the deterministic reply text derived from the last user message. */
  content?: string;
  /**
   * Plays a tool-using agent model: a turn that does not follow a tool result answers exactly this call
   * (`finish_reason: "tool_calls"`); a turn that follows one answers {@link Scenario.finalAnswer}. Called even if
   * the request's `tools` do not name it (a real model might); made only when the request has `tools`.
   */
  toolCall?: ScriptedToolCall;
  /** Like {@link Scenario.toolCall}, several parallel calls in one turn; a layer setting either replaces both. */
  toolCalls?: ScriptedToolCall[];
  /** The text answer of a turn that follows a tool result (default `Tool result: <the tool messages' text>`). */
  finalAnswer?: string;
  /**
   * A turn offered `tools` with no call scripted: `'call'` (the default) calls the first tool, or the one
   * `tool_choice` names, with arguments made from the user's text — the tool path every test of a translator
   * wants; `'answer'` answers text, as a model chatting through an agent CLI does. The demo answers: a CLI would
   * otherwise run the user's words as its first tool (Codex's is a shell).
   */
  unscriptedTools?: 'call' | 'answer';
}

/** One scripted tool call; `arguments` as an object (sent JSON-encoded) or as JSON text (sent as is). */
export interface ScriptedToolCall {
  name: string;
  arguments?: Record<string, unknown> | string;
}

export type ReasoningMode = 'none' | 'reasoning_content' | 'think-tags';

/** Silences, all in milliseconds. */
export interface Timing {
  /** Before the status line and headers are sent (NIM holds headers while a model reasons). */
  firstByteDelayMs?: number;
  /** After the headers, before the first body chunk. */
  firstChunkDelayMs?: number;
  /** Between two body chunks (SSE frames). */
  chunkDelayMs?: number;
}

/**
 * How the final usage is reported in a stream.
 * - `none`: never.
 * - `final-chunk`: on the chunk that carries `finish_reason`.
 * - `final-empty-choices`: an extra usage-only chunk with `choices: []` (OpenAI's `include_usage` shape).
 * - `final-no-choices`: an extra usage-only chunk with no `choices` key at all (seen from NIM).
 * - `incremental`: every chunk carries the cumulative usage so far; the last one is the total.
 */
export type UsageMode = 'none' | 'final-chunk' | 'final-empty-choices' | 'final-no-choices' | 'incremental';

/** Id styles seen from NIM: proper strings, numbers, or `null` (completion ids and tool-call ids). */
export type IdStyle = 'string' | 'number' | 'null';

/** Shape and quirks of SSE streams (and, for `idStyle`, of JSON completions too). */
export interface StreamShape {
  usage?: UsageMode;
  idStyle?: IdStyle;
  /** End lines with `\r\n` instead of `\n`. */
  crlf?: boolean;
  /** Put an SSE comment line (`: keep-alive`) before every data frame. */
  comments?: boolean;
  /** Repeat `id`, `type` and `function.name` in every tool-call delta, not only the first. */
  repeatToolName?: boolean;
  /**
   * Append one filler word of this many bytes to the content, so that one `data:` line is longer than this
   * (the JSON completion carries the same content).
   */
  hugeLineBytes?: number;
}

/** Faults, a tagged union. */
export type Fault =
  /** Answer with this status and a problem-details body (or `body`, JSON-encoded; a string is sent as is). */
  | { type: 'http-error'; status: number; body?: unknown; headers?: Record<string, string> }
  /** 429 `{"status":429,"title":"Too Many Requests"}` with `Retry-After`. */
  | { type: 'rate-limit'; retryAfterSeconds?: number }
  /** The connection is reset before any byte of the response is sent. */
  | { type: 'reset' }
  /**
   * Status and headers are sent, then the connection drops after `afterChunks` SSE frames (JSON answers: after
   * the first half of the body).
   */
  | { type: 'disconnect'; afterChunks?: number }
  /** Never answer: no status, no headers, until the client gives up or the mock closes. */
  | { type: 'hang' }
  /** A 200 stream with garbage lines between the frames (still ending with `[DONE]`). */
  | { type: 'malformed-sse' }
  /**
   * A 200 stream that fails after `afterChunks` frames the way vLLM-based builds report it: a
   * `data: {"error":{…}}` event, then `[DONE]`. Streams only; a JSON answer is unaffected.
   */
  | { type: 'stream-error'; afterChunks?: number; message?: string }
  /** A 200 `application/json` answer whose body is truncated, invalid JSON. */
  | { type: 'malformed-json' };

export type FaultType = Fault['type'];

/** Merges scenario layers; later layers win, field by field (`timing` and `stream` are merged key by key). */
export function mergeScenarios(...layers: ReadonlyArray<Scenario | undefined>): Scenario {
  const merged: Scenario = {};
  for (const layer of layers) {
    if (!layer) continue;
    if (layer.fault !== undefined) merged.fault = layer.fault;
    if (layer.reasoning !== undefined) merged.reasoning = layer.reasoning;
    if (layer.content !== undefined) merged.content = layer.content;
    if (layer.toolCall !== undefined || layer.toolCalls !== undefined) {
      delete merged.toolCall;
      delete merged.toolCalls;
      if (layer.toolCall !== undefined) merged.toolCall = layer.toolCall;
      if (layer.toolCalls !== undefined) merged.toolCalls = layer.toolCalls;
    }
    if (layer.finalAnswer !== undefined) merged.finalAnswer = layer.finalAnswer;
    if (layer.unscriptedTools !== undefined) merged.unscriptedTools = layer.unscriptedTools;
    if (layer.timing) merged.timing = { ...merged.timing, ...layer.timing };
    if (layer.stream) merged.stream = { ...merged.stream, ...layer.stream };
  }
  return merged;
}
