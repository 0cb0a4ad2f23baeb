/** Models remembered at most: client text names the model, so a stream of made-up names cannot grow the map. */
const MAX_MODELS = 1024;

/**
 * The top-level fields NIM rejected, per model, for the process's life: the proxy adapts to a schema change
 * without a release, paying one failed call per model and field.
 */
export class RejectedFields {
  readonly #byModel = new Map<string, Set<string>>();

  /** The fields NIM rejected for `model`; undefined when none (the common case, so the body is not scanned). */
  for(model: unknown): ReadonlySet<string> | undefined {
    return typeof model === 'string' ? this.#byModel.get(model) : undefined;
  }

  /** Remembers `field` for `model`; true when it is new (the one time it is worth a warning). */
  learn(model: string, field: string): boolean {
    let fields = this.#byModel.get(model);
    if (fields?.has(field)) return false;
    if (!fields) {
      if (this.#byModel.size >= MAX_MODELS) return true;
      fields = new Set();
      this.#byModel.set(model, fields);
    }
    fields.add(field);
    return true;
  }
}
