import { describe, expect, it } from 'vitest';
import { createModelAliases } from './model-aliases.js';
import { createModelSettings, modelSettingsEntrySchema } from './model-settings.js';
import { toAliasTable, toJson } from './parse-model-config.js';

describe('createModelAliases', () => {
  const resolve = createModelAliases({
    'claude-*haiku*': 'nvidia:meta/llama-3.1-8b-instruct',
    'claude-sonnet-4-5': 'nvidia:qwen/qwen3-coder-480b-a35b-instruct',
    'claude-*': 'nvidia:moonshotai/kimi-k2-instruct',
    'gpt-5?': 'nvidia:openai/gpt-oss-120b',
  });

  it('prefers an exact name, then the first pattern that matches, case-insensitively', () => {
    expect(resolve('claude-sonnet-4-5')).toBe('nvidia:qwen/qwen3-coder-480b-a35b-instruct');
    expect(resolve('claude-3-5-haiku-20241022')).toBe('nvidia:meta/llama-3.1-8b-instruct');
    expect(resolve('Claude-Haiku-4-5')).toBe('nvidia:meta/llama-3.1-8b-instruct');
    expect(resolve('claude-opus-4-1-20250805')).toBe('nvidia:moonshotai/kimi-k2-instruct');
    expect(resolve('gpt-5x')).toBe('nvidia:openai/gpt-oss-120b');
    expect(resolve('gpt-5')).toBe('gpt-5');
  });

  it('passes ids that match nothing through, and takes regex characters literally', () => {
    expect(resolve('meta/llama3-70b-instruct')).toBe('meta/llama3-70b-instruct');
    const literal = createModelAliases({ 'a.b*': 'x' });
    expect(literal('a.bc')).toBe('x');
    expect(literal('aXbc')).toBe('aXbc');
    expect(createModelAliases({})('m')).toBe('m');
  });
});

describe('createModelSettings', () => {
  const settings = createModelSettings({
    '*': { max_tokens: 16384 },
    'nvidia:deepseek-ai/*': { replay_reasoning: true, reasoning_on: { chat_template_kwargs: { thinking: true } } },
    'deepseek-ai/deepseek-v4': { max_tokens: 8192 },
  });

  it('applies every matching entry in the order written, later ones overriding field by field', () => {
    expect(settings('nvidia', 'deepseek-ai/deepseek-v4')).toEqual({
      maxTokens: 8192,
      replayReasoning: true,
      reasoningOn: { chat_template_kwargs: { thinking: true } },
    });
    expect(settings('nvidia', 'meta/llama')).toEqual({ maxTokens: 16384 });
    expect(settings('other', 'deepseek-ai/r1')).toEqual({ maxTokens: 16384 });
  });

  it('reads tool_markup, and refuses a value it does not know', () => {
    expect(createModelSettings({ 'served/*': { tool_markup: 'minimax' } })('nvidia', 'served/m')).toEqual({ toolMarkup: 'minimax' });
    expect(modelSettingsEntrySchema.safeParse({ tool_markup: 'xml' }).error?.issues[0]?.message).toBe("expected 'minimax' or 'none'");
  });

  it('reads reasoning_effort, and refuses a value that is not true or false', () => {
    expect(createModelSettings({ 'served/*': { reasoning_effort: true } })('nvidia', 'served/m')).toEqual({ reasoningEffort: true });
    expect(modelSettingsEntrySchema.safeParse({ reasoning_effort: 'high' }).error?.issues[0]?.message).toBe('expected true or false');
  });

  it('answers empty settings when nothing matches', () => {
    expect(createModelSettings({ 'qwen/*': { max_tokens: 1 } })('nvidia', 'meta/llama')).toEqual({});
  });
});

describe('model tables from text (env, flags)', () => {
  it('reads aliases as JSON or pattern=target pairs', () => {
    expect(toAliasTable('{"claude-*":"nvidia:m"}')).toEqual({ 'claude-*': 'nvidia:m' });
    expect(toAliasTable('claude-*haiku*=nvidia:a/b, claude-*=nvidia:c/d')).toEqual({ 'claude-*haiku*': 'nvidia:a/b', 'claude-*': 'nvidia:c/d' });
    expect(toAliasTable('no pairs here')).toBe('no pairs here');
  });

  it('passes text that is not JSON on for validation to name', () => {
    expect(toJson('{"*":{"max_tokens":5}}')).toEqual({ '*': { max_tokens: 5 } });
    expect(toJson('{nope')).toBe('{nope');
  });
});
