/**
 * The times of the requests sent on one key in the last window, oldest first, in a ring that grows up to the limit
 * (it never holds more: a full window refuses). A log rather than a token bucket or fixed buckets: a bucket that
 * refills lets twice the limit through in one window, and only the log can say exactly when the next slot frees.
 */
export class RollingWindow {
  readonly #limit: number;
  readonly #windowMs: number;
  #times = new Float64Array(16);
  #head = 0;
  #size = 0;

  constructor(limit: number, windowMs: number) {
    this.#limit = limit;
    this.#windowMs = windowMs;
  }

  /** Requests still in the window at `now`: a request at `t` counts until `t + window` inclusive. */
  count(now: number): number {
    const cutoff = now - this.#windowMs;
    while (this.#size > 0 && this.#times[this.#head]! < cutoff) {
      this.#head = (this.#head + 1) % this.#times.length;
      this.#size--;
    }
    return this.#size;
  }

  /** Room left at `now`. */
  room(now: number): number {
    return this.#limit - this.count(now);
  }

  /** Records a request at `now` (the caller checked the room). */
  add(now: number): void {
    if (this.#size === this.#times.length) this.#grow();
    this.#times[(this.#head + this.#size) % this.#times.length] = now;
    this.#size++;
  }

  /** When the `n` oldest slots free (0-based, n < count): the time a slot taken at `t` counts no more. */
  freesAt(n: number): number {
    return this.#times[(this.#head + n) % this.#times.length]! + this.#windowMs + 1;
  }

  #grow(): void {
    const capacity = Math.min(Math.max(this.#times.length * 2, 16), Math.max(this.#limit, 16));
    const next = new Float64Array(capacity);
    for (let i = 0; i < this.#size; i++) next[i] = this.#times[(this.#head + i) % this.#times.length]!;
    this.#times = next;
    this.#head = 0;
  }
}
