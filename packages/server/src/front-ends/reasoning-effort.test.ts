import { describe, expect, it } from 'vitest';
import { chatReasoningEffort } from './reasoning-effort.js';

const gptOss = { modelSettings: {}, upstreamModel: 'openai/gpt-oss-120b' };

describe('chatReasoningEffort', () => {
  it("maps the clients' wider scales onto gpt-oss's low, medium and high", () => {
    const asked = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max'].map((effort) => chatReasoningEffort(gptOss, effort));
    expect(asked).toEqual(['low', 'low', 'low', 'medium', 'high', 'high', 'high']);
  });

  it('sends nothing when the client said nothing, or named a level no API has yet', () => {
    expect(chatReasoningEffort(gptOss, undefined)).toBeUndefined();
    expect(chatReasoningEffort(gptOss, null)).toBeUndefined();
    expect(chatReasoningEffort(gptOss, 'ultra')).toBeUndefined();
  });

  it('is on for gpt-oss ids and off for others, unless the model settings say otherwise', () => {
    expect(chatReasoningEffort({ modelSettings: {}, upstreamModel: 'moonshotai/kimi-k2' }, 'high')).toBeUndefined();
    expect(chatReasoningEffort({ modelSettings: { reasoningEffort: true }, upstreamModel: 'moonshotai/kimi-k2' }, 'high')).toBe('high');
    expect(chatReasoningEffort({ modelSettings: { reasoningEffort: false }, upstreamModel: 'openai/GPT-OSS-20b' }, 'high')).toBeUndefined();
    expect(chatReasoningEffort({ modelSettings: {}, upstreamModel: 'openai/GPT-OSS-20b' }, 'high')).toBe('high');
  });
});
