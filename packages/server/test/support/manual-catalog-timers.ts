import type { CatalogTimers } from '../../src/backends/catalog-timers.js';

/** CatalogTimers a test drives: nothing runs until fire(), which runs the next timer and waits for its read. */
export interface ManualCatalogTimers extends CatalogTimers {
  /** The delays of the timers pending, in the order they were set. */
  readonly pending: readonly number[];
  /** Runs the earliest pending timer to completion; answers its delay. Throws when none is pending. */
  fire(): Promise<number>;
  nowMs: number;
}

export function manualCatalogTimers(): ManualCatalogTimers {
  const queue: { callback: () => Promise<void>; ms: number }[] = [];
  const timers: ManualCatalogTimers = {
    nowMs: 1_700_000_000_000,
    get pending() {
      return queue.map((timer) => timer.ms);
    },
    setTimeout(callback, ms) {
      const timer = { callback, ms };
      queue.push(timer);
      return timer;
    },
    clearTimeout(handle) {
      const index = queue.indexOf(handle as (typeof queue)[number]);
      if (index >= 0) queue.splice(index, 1);
    },
    now: () => timers.nowMs,
    async fire() {
      const timer = queue.shift();
      if (!timer) throw new Error('no catalog timer pending');
      timers.nowMs += timer.ms;
      await timer.callback();
      return timer.ms;
    },
  };
  return timers;
}
