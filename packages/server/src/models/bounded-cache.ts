/**
 * Answers kept by key, at most `limit` of them (the oldest goes first): the lookups here run on every request for
 * a handful of distinct model ids, while an id is client text and a client could send endless new ones.
 */
export class BoundedCache<V> {
  readonly #map = new Map<string, V>();
  readonly #limit: number;

  constructor(limit = 256) {
    this.#limit = limit;
  }

  get(key: string, compute: (key: string) => V): V {
    const known = this.#map.get(key);
    if (known !== undefined || this.#map.has(key)) return known as V;
    const value = compute(key);
    if (this.#map.size >= this.#limit) this.#map.delete(this.#map.keys().next().value as string);
    this.#map.set(key, value);
    return value;
  }
}
