/**
 * Calls `tick` whenever `intervalMs` passes without `touch()`: one timer per stream, re-armed with
 * `Timeout.refresh()` (no allocation) after every chunk and every tick, so only real silence triggers it.
 */
export class KeepaliveTimer {
  readonly #tick: () => void;
  readonly #intervalMs: number;
  #timer: NodeJS.Timeout | undefined;

  constructor(tick: () => void, intervalMs: number) {
    this.#tick = tick;
    this.#intervalMs = intervalMs;
  }

  /** Starts counting silence from now. Does nothing when the interval is 0 (keep-alives disabled). */
  start(): void {
    if (this.#intervalMs <= 0 || this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#tick();
      this.#timer?.refresh();
    }, this.#intervalMs);
  }

  /** Something was sent: the silence starts again. */
  touch(): void {
    this.#timer?.refresh();
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
