const ID_KEY = '"id":';
const ID_KEY_BYTES = Buffer.from(ID_KEY);
const TOOL_CALLS_KEY = '"tool_calls"';
const TOOL_CALLS_KEY_BYTES = Buffer.from(TOOL_CALLS_KEY);
const QUOTE = 0x22;
const SPACE = 0x20;
const TAB = 0x09;

/** A view of `bytes` as a Buffer (no copy), or the string itself: what `indexOf` takes without converting. */
function haystackOf(bytes: string | Uint8Array): string | Buffer {
  return typeof bytes === 'string' || Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Whether some `"id":` key in JSON text has a value that is not a string (NIM's numeric or `null` completion and
 * tool-call ids). One native `indexOf` per id in the text, with the needle encoded once. The sequence `"id":` only
 * occurs as a key: inside a JSON string every quote is escaped (`\"id\":`), so message text and tool arguments
 * never match.
 */
export function hasNonStringId(text: string | Uint8Array): boolean {
  const haystack = haystackOf(text);
  if (typeof haystack === 'string') {
    for (let at = haystack.indexOf(ID_KEY); at !== -1; at = haystack.indexOf(ID_KEY, at + ID_KEY.length)) {
      let next = at + ID_KEY.length;
      while (haystack.charCodeAt(next) === SPACE || haystack.charCodeAt(next) === TAB) next++;
      if (haystack.charCodeAt(next) !== QUOTE) return true;
    }
    return false;
  }
  for (let at = haystack.indexOf(ID_KEY_BYTES); at !== -1; at = haystack.indexOf(ID_KEY_BYTES, at + ID_KEY.length)) {
    let next = at + ID_KEY.length;
    while (haystack[next] === SPACE || haystack[next] === TAB) next++;
    if (haystack[next] !== QUOTE) return true;
  }
  return false;
}

/** Whether the text may hold tool-call ids: one native `indexOf`, a miss on nearly every read of a stream. */
export function mentionsToolCalls(text: string | Uint8Array): boolean {
  const haystack = haystackOf(text);
  return typeof haystack === 'string' ? haystack.includes(TOOL_CALLS_KEY) : haystack.includes(TOOL_CALLS_KEY_BYTES);
}

/**
 * The string ids of one response, made from the request id where NIM sent a number or `null`: the completion's
 * `chatcmpl-<request id>`, each tool call's `call_<request id>_<n>`, the same for a tool call in every delta that
 * names it (keyed by choice and tool-call index, as clients accumulate them).
 */
export class ResponseIds {
  readonly #requestId: string;
  readonly #toolCalls = new Map<string, string>();

  constructor(requestId: string) {
    this.#requestId = requestId;
  }

  /** `seen` when it is a string, else the response's made-up id. */
  completion(seen: unknown): string {
    return typeof seen === 'string' ? seen : `chatcmpl-${this.#requestId}`;
  }

  /** The id of tool call `index` of choice `choice`: the first string id it came with, else a made-up one. */
  toolCall(choice: number, index: number, seen: unknown): string {
    const key = `${choice}:${index}`;
    let id = this.#toolCalls.get(key);
    if (id === undefined) {
      id = typeof seen === 'string' ? seen : `call_${this.#requestId}_${this.#toolCalls.size}`;
      this.#toolCalls.set(key, id);
    }
    return typeof seen === 'string' ? seen : id;
  }
}

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Gives every tool call in `calls` (a delta's or a message's `tool_calls`) a string id. */
function fixToolCalls(calls: unknown, choice: number, ids: ResponseIds, onlyWhereSent: boolean): void {
  if (!Array.isArray(calls)) return;
  calls.forEach((call: unknown, position) => {
    if (!isObject(call)) return;
    // A delta that continues a call often names no id: clients find the call by index, so none is added.
    if (onlyWhereSent && !('id' in call)) return;
    const index = typeof call.index === 'number' ? call.index : position;
    call.id = ids.toolCall(choice, index, call.id);
  });
}

/** A parsed `chat.completion.chunk`, in place: its tool-call ids made strings. */
export function fixChunkToolCallIds(chunk: JsonObject, ids: ResponseIds): void {
  const choices = chunk.choices;
  if (!Array.isArray(choices)) return;
  choices.forEach((choice: unknown, position) => {
    if (!isObject(choice) || !isObject(choice.delta)) return;
    fixToolCalls(choice.delta.tool_calls, typeof choice.index === 'number' ? choice.index : position, ids, true);
  });
}

/** A parsed `chat.completion`, in place: its id and its tool calls' ids made strings. */
export function fixCompletionIds(completion: JsonObject, ids: ResponseIds): void {
  completion.id = ids.completion(completion.id);
  const choices = completion.choices;
  if (!Array.isArray(choices)) return;
  choices.forEach((choice: unknown, position) => {
    if (!isObject(choice) || !isObject(choice.message)) return;
    fixToolCalls(choice.message.tool_calls, typeof choice.index === 'number' ? choice.index : position, ids, false);
  });
}
