/** Models remembered at most: client text names the model, so a stream of made-up names cannot grow the map. */
const MAX_MODELS = 1024;

/**
 * The `max_tokens` caps NIM's schema set, per model, for the process's life. Claude Code asks for 32000 tokens,
 * more than many NIM models take: the first such request pays one refused call, and every later one is sent
 * within the cap.
 */
export class TokenCaps {
  readonly #byModel = new Map<string, number>();

  /** The cap learned for `model`, or undefined. */
  for(model: unknown): number | undefined {
    return typeof model === 'string' ? this.#byModel.get(model) : undefined;
  }

  /** Remembers `cap` for `model`; true when it is new or lower (the one time it is worth a warning). */
  learn(model: string, cap: number): boolean {
    const known = this.#byModel.get(model);
    if (known !== undefined && known <= cap) return false;
    if (known === undefined && this.#byModel.size >= MAX_MODELS) return true;
    this.#byModel.set(model, cap);
    return true;
  }
}
