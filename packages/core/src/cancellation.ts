/**
 * What connectors need of an AbortSignal: whether it fired, and a listener for when it does. An AbortSignal is
 * one; so is a Cancellation, which the server creates per request instead: a request needs only a flag and a list
 * of listeners, and AbortController's EventTarget machinery costs several percent of a proxied request (`pnpm
 * bench` misses its latency target with it).
 */
export interface CancelSignal {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** A CancelSignal fired by `abort()`: listeners run once, in order; one added after the abort never runs. */
export class Cancellation implements CancelSignal {
  #aborted = false;
  #listeners: (() => void)[] | undefined;

  get aborted(): boolean {
    return this.#aborted;
  }

  addEventListener(_type: 'abort', listener: () => void): void {
    if (!this.#aborted) (this.#listeners ??= []).push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const index = this.#listeners?.indexOf(listener) ?? -1;
    if (index !== -1) this.#listeners!.splice(index, 1);
  }

  abort(): void {
    if (this.#aborted) return;
    this.#aborted = true;
    const listeners = this.#listeners;
    this.#listeners = undefined;
    for (const listener of listeners ?? []) listener();
  }
}
