/**
 * The ids of one answer's tool calls, each unique: the upstream's own, unless another call of the answer took it
 * or `taken` holds it (ids the conversation already has), then `fallback(index)`, numbered on while that is taken
 * too. Clients pair a call's run and its result by this id, and upstreams send ids that are not unique (DeepSeek's,
 * GLM's and Kimi's own APIs were reported repeating one across parallel calls; an upstream may number every
 * answer's calls from 0). `taken` is read once, at the answer's first call.
 */
export class UniqueCallIds {
  readonly #alreadyTaken: () => Iterable<string>;
  readonly #fallback: (index: number) => string;
  #taken: Set<string> | undefined;

  constructor(alreadyTaken: () => Iterable<string>, fallback: (index: number) => string) {
    this.#alreadyTaken = alreadyTaken;
    this.#fallback = fallback;
  }

  /** The id for the call at `index` that the upstream named `upstream` (undefined or '' for none). */
  for(upstream: string | undefined, index: number): string {
    const taken = (this.#taken ??= new Set(this.#alreadyTaken()));
    const fallback = this.#fallback(index);
    let id = upstream !== undefined && upstream !== '' && !taken.has(upstream) ? upstream : fallback;
    // A fallback can be taken too: a request id the client chose (x-request-id) may come back turn after turn.
    for (let n = 1; taken.has(id); n++) id = `${fallback}_${n}`;
    taken.add(id);
    return id;
  }
}
