import type { Counter } from 'prom-client';

/** One label set of a counter: what was added since prom-client last collected. */
export interface CounterCell {
  readonly labels: Readonly<Record<string, string>>;
  pending: number;
  dirty: boolean;
}

type Level = Map<string | undefined, Level | CounterCell>;

/**
 * The hot path's side of a labelled prom-client Counter: an increment adds to a plain number in the cell of its
 * label values (found through one Map per label, no key string built), and the counter takes the sums from its
 * `collect` hook, which prom-client runs before every read of the metric (`/metrics`, `get()`). prom-client's own
 * `inc` builds a key string from the labels object on every call, several calls a request on a path where `pnpm
 * bench` misses its targets; what `/metrics` shows is still prom-client's own bookkeeping, exact at every scrape.
 */
export class CounterCells<Label extends string> {
  readonly #counter: Counter<Label>;
  readonly #labelNames: readonly Label[];
  readonly #root: Level = new Map();
  #dirty: CounterCell[] = [];

  /** `labelNames` in the order `cell()` takes their values; a value left undefined leaves its label out. */
  constructor(counter: Counter<Label>, labelNames: readonly Label[]) {
    this.#counter = counter;
    this.#labelNames = labelNames;
  }

  /** The cell of these label values (made once per label set). */
  cell(...values: (string | undefined)[]): CounterCell {
    let level = this.#root;
    const last = this.#labelNames.length - 1;
    for (let i = 0; i < last; i++) {
      const key = values[i];
      let next = level.get(key) as Level | undefined;
      if (next === undefined) level.set(key, (next = new Map()));
      level = next;
    }
    const key = values[last];
    let cell = level.get(key) as CounterCell | undefined;
    if (cell === undefined) level.set(key, (cell = { labels: this.#labelsOf(values), pending: 0, dirty: false }));
    return cell;
  }

  /** Throws, as prom-client's `inc` does, for an amount that is negative or not a number. */
  add(cell: CounterCell, amount = 1): void {
    if (!(amount >= 0) || amount === Infinity) throw new Error(amount < 0 ? 'It is not possible to decrease a counter' : `Value is not a valid number: ${amount}`);
    cell.pending += amount;
    if (cell.dirty) return;
    cell.dirty = true;
    this.#dirty.push(cell);
  }

  /** Hands every pending sum to the counter: its `collect` hook. */
  flush(): void {
    const dirty = this.#dirty;
    if (dirty.length === 0) return;
    this.#dirty = [];
    for (const cell of dirty) {
      this.#counter.inc(cell.labels as Partial<Record<Label, string>>, cell.pending);
      cell.pending = 0;
      cell.dirty = false;
    }
  }

  #labelsOf(values: readonly (string | undefined)[]): Record<string, string> {
    const labels: Record<string, string> = {};
    this.#labelNames.forEach((name, i) => {
      const value = values[i];
      if (value !== undefined) labels[name] = value;
    });
    return labels;
  }
}
