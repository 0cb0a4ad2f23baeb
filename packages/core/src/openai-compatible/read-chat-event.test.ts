import { describe, expect, it } from 'vitest';
import { readUsage } from './read-chat-event.js';

const usage = { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 };
const counted = { promptTokens: 3, completionTokens: 2, totalTokens: 5 };

describe('readUsage', () => {
  it('reads usage and tells usage-only frames (no or empty choices) from content that carries usage', () => {
    expect(readUsage(JSON.stringify({ id: 1, choices: [], usage }))).toEqual({ usage: counted, usageOnly: true });
    expect(readUsage(JSON.stringify({ id: null, usage }))).toEqual({ usage: counted, usageOnly: true, withChoices: JSON.stringify({ id: null, usage, choices: [] }) });
    expect(readUsage(JSON.stringify({ id: 2, choices: null, usage }))).toEqual({ usage: counted, usageOnly: true, withChoices: JSON.stringify({ id: 2, choices: [], usage }) });
    expect(readUsage(JSON.stringify({ choices: [{ index: 0, delta: { content: 'a' } }], usage }))).toEqual({ usage: counted, usageOnly: false });
  });

  it('reports nothing for events without usage, with a null or empty usage, or that are not JSON objects', () => {
    for (const data of [
      JSON.stringify({ choices: [{ delta: { content: 'usage' } }] }),
      JSON.stringify({ choices: [], usage: null }),
      JSON.stringify({ choices: [], usage: {} }),
      '{"usage": broken',
      '"usage"',
      '[DONE]',
    ]) {
      expect(readUsage(data), data).toBeUndefined();
    }
  });
});
