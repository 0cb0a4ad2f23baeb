/**
 * What a front end has already said in the log, so a notice that every request of an agent loop would repeat
 * (Claude Code's server tools, Codex's `web_search` on every turn) is written once per kind. Bounded: the kinds
 * are named by clients, and a client making up new names must not grow the process; past the bound everything
 * counts as said.
 */
export class SaidOnce {
  readonly #said = new Set<string>();
  readonly #limit: number;

  constructor(limit = 1024) {
    this.#limit = limit;
  }

  /** Those of `kinds` not said before, now counted as said. */
  fresh(kinds: readonly string[]): string[] {
    const fresh: string[] = [];
    for (const kind of kinds) {
      if (this.#said.has(kind) || this.#said.size >= this.#limit) continue;
      this.#said.add(kind);
      fresh.push(kind);
    }
    return fresh;
  }
}
