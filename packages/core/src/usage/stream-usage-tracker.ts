import type { TokenUsage } from './token-usage.js';

/**
 * Some deployments report usage in several chunks of one stream; each report is cumulative, so the largest
 * (the last, on a tie) is the stream's usage. Summing would double count.
 */
export class StreamUsageTracker {
  #usage: TokenUsage | undefined;

  observe(usage: TokenUsage | undefined): void {
    if (!usage) return;
    if (!this.#usage || usage.totalTokens >= this.#usage.totalTokens) this.#usage = usage;
  }

  get usage(): TokenUsage | undefined {
    return this.#usage;
  }
}
