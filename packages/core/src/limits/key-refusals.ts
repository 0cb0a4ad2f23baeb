/** How long a key the upstream refused for one model is not tried for that model again. */
export const MODEL_REFUSAL_MS = 10 * 60_000;

/** Models remembered at most: the model names come from clients, so the memory of them is bounded. */
const MAX_MODELS = 1_000;

/** What one refusal (401) showed: the key is refused for this model only, or the key itself is bad. */
export type RefusalVerdict = 'model' | 'key';

/**
 * Which keys of a pool the upstream refused with 401, for which model. NVIDIA NIM answers 401 both for a bad key
 * and for a model that is not enabled on the key's account, so one 401 cannot tell them apart. Taking the key out
 * of the pool at the first 401 would let one request for a model a key lacks take a working key away from every
 * other model; so the key is skipped for that model only (for {@link MODEL_REFUSAL_MS}, after which it is tried
 * again, in case the model was enabled), and counts as bad once it is refused for a second model without serving
 * anything in between: a bad key is refused for every model, a key without one model's entitlement serves others.
 */
export class KeyRefusals {
  /** model → key index → when the key may be tried for the model again. */
  readonly #byModel = new Map<string, Map<number, number>>();
  /** key index → the models it was refused for since it last served a request. */
  readonly #sinceServed = new Map<number, Set<string>>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** The keys not to try for `model` now, or undefined when there are none (nearly always). */
  avoidFor(model: string | undefined): ReadonlySet<number> | undefined {
    if (this.#byModel.size === 0 || model === undefined) return undefined;
    const keys = this.#byModel.get(model);
    if (keys === undefined) return undefined;
    const now = this.#now();
    let avoid: Set<number> | undefined;
    for (const [index, until] of keys) {
      if (until <= now) keys.delete(index);
      else (avoid ??= new Set()).add(index);
    }
    if (keys.size === 0) this.#byModel.delete(model);
    return avoid;
  }

  /** The upstream answered 401 for `model` on key `index`: whether that shows the key bad or only the model missing. */
  refused(index: number, model: string): RefusalVerdict {
    let models = this.#sinceServed.get(index);
    if (models === undefined) this.#sinceServed.set(index, (models = new Set()));
    models.add(model);
    if (models.size > 1) return 'key';
    let keys = this.#byModel.get(model);
    if (keys === undefined) {
      if (this.#byModel.size >= MAX_MODELS) this.#byModel.delete(this.#byModel.keys().next().value!);
      this.#byModel.set(model, (keys = new Map()));
    }
    keys.set(index, this.#now() + MODEL_REFUSAL_MS);
    return 'model';
  }

  /** Key `index` served a request: refusals before it no longer count towards calling it bad. */
  served(index: number): void {
    if (this.#sinceServed.size > 0) this.#sinceServed.delete(index);
  }
}
