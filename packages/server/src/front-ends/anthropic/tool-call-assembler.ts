/** One tool call being streamed, as the encoder tracks it. */
export interface ToolCallState {
  readonly index: number;
  id: string;
  name: string;
  /** Every argument character received so far. */
  args: string;
  /** How many of `args` went out in `input_json_delta`s. */
  sent: number;
  /** pending: no block yet (waiting for its name, or for the block before it); open; closed; left out (never sent). */
  block: 'pending' | 'open' | 'closed' | 'left-out';
}

/**
 * Puts NIM's tool-call deltas back together, repairing the ways builds stream them: later deltas without an id
 * (the id is kept from the first), a function name repeated in every delta (MiniMax: concatenating gives
 * `read_fileread_file`), ids that are numbers or null, deltas without an `index`, parallel calls whose deltas are
 * interleaved by index (each index is its own call, in the order the indices first appeared), builds that number
 * every call 0 (a new id at an index in use starts a new call), and arguments sent as a JSON object, not text.
 */
export class ToolCallAssembler {
  readonly calls: ToolCallState[] = [];
  readonly #byIndex = new Map<number, ToolCallState>();
  #last: ToolCallState | undefined;

  /** The call one delta belongs to, updated with its id and name; `piece` is its argument text. */
  push(delta: unknown): { call: ToolCallState; piece: string } | undefined {
    if (typeof delta !== 'object' || delta === null) return undefined;
    const record = delta as { index?: unknown; id?: unknown; function?: { name?: unknown; arguments?: unknown } | null };
    const id = typeof record.id === 'string' || typeof record.id === 'number' ? String(record.id) : '';
    const call = this.#callFor(record.index, id, record.function);
    if (call.id === '' && id !== '') call.id = id;
    const fn = record.function;
    const name = typeof fn?.name === 'string' ? fn.name : '';
    if (name !== '' && name !== call.name) {
      if (call.name === '' || name.startsWith(call.name)) call.name = name;
      // A name streamed in pieces, as OpenAI's protocol allows: only while nothing else of the call has come.
      else if (call.block === 'pending' && call.args === '' && !call.name.endsWith(name)) call.name += name;
    }
    const args = fn?.arguments;
    const piece = typeof args === 'string' ? args : args === undefined || args === null ? '' : JSON.stringify(args);
    call.args += piece;
    this.#last = call;
    return { call, piece };
  }

  #callFor(index: unknown, id: string, fn: unknown): ToolCallState {
    if (typeof index === 'number') {
      const known = this.#byIndex.get(index);
      // Another id with a name of its own at an index whose call has both: the builds that number every call 0.
      if (known && !(id !== '' && known.id !== '' && id !== known.id && known.name !== '' && hasName(fn))) return known;
      return this.#create(index);
    }
    // No index: a new id starts a new call, anything else continues the last one.
    if (this.#last && (id === '' || id === this.#last.id)) return this.#last;
    return this.#create(this.calls.length === 0 ? 0 : Math.max(...this.#byIndex.keys()) + 1);
  }

  #create(index: number): ToolCallState {
    const call: ToolCallState = { index, id: '', name: '', args: '', sent: 0, block: 'pending' };
    this.calls.push(call);
    this.#byIndex.set(index, call);
    return call;
  }
}

function hasName(fn: unknown): boolean {
  return typeof fn === 'object' && fn !== null && typeof (fn as { name?: unknown }).name === 'string' && (fn as { name: string }).name !== '';
}
