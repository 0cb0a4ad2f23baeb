import { describe, expect, it } from 'vitest';
import { StreamUsageTracker } from './stream-usage-tracker.js';
import { extractUsage } from './token-usage.js';

describe('extractUsage', () => {
  it('normalises OpenAI usage and fills what is missing', () => {
    expect(extractUsage({ prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 })).toEqual({ promptTokens: 3, completionTokens: 2, totalTokens: 5 });
    expect(extractUsage({ prompt_tokens: 3, completion_tokens: 2 })).toEqual({ promptTokens: 3, completionTokens: 2, totalTokens: 5 });
    expect(extractUsage({ prompt_tokens: 3, total_tokens: 10 })).toEqual({ promptTokens: 3, completionTokens: 7, totalTokens: 10 });
  });

  it('ignores absent or meaningless usage', () => {
    expect(extractUsage(null)).toBeUndefined();
    expect(extractUsage({})).toBeUndefined();
    expect(extractUsage({ prompt_tokens: 'many' })).toBeUndefined();
  });
});

describe('StreamUsageTracker', () => {
  it('keeps the largest report (the last on a tie), never a sum', () => {
    const tracker = new StreamUsageTracker();
    tracker.observe(undefined);
    expect(tracker.usage).toBeUndefined();
    tracker.observe({ promptTokens: 5, completionTokens: 1, totalTokens: 6 });
    tracker.observe({ promptTokens: 5, completionTokens: 9, totalTokens: 14 });
    tracker.observe({ promptTokens: 5, completionTokens: 2, totalTokens: 7 });
    expect(tracker.usage).toEqual({ promptTokens: 5, completionTokens: 9, totalTokens: 14 });
    const tie = { promptTokens: 4, completionTokens: 10, totalTokens: 14 };
    tracker.observe(tie);
    expect(tracker.usage).toBe(tie);
  });
});
