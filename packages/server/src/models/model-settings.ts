import { z } from 'zod';
import type { ModelSettings } from '../exchange/front-end.js';
import { BoundedCache } from './bounded-cache.js';
import { compileGlob } from './glob-pattern.js';

/** One `model_settings` entry as written in the configuration. */
export const modelSettingsEntrySchema = z.strictObject({
  max_tokens: z.number({ error: 'expected a number of tokens' }).int('expected a whole number of tokens').positive('expected a number of tokens (> 0)').optional(),
  reasoning_on: z.record(z.string(), z.unknown(), { error: 'expected a mapping of request fields' }).optional(),
  reasoning_off: z.record(z.string(), z.unknown(), { error: 'expected a mapping of request fields' }).optional(),
  replay_reasoning: z.boolean({ error: 'expected true or false' }).optional(),
  reasoning_effort: z.boolean({ error: 'expected true or false' }).optional(),
  tool_markup: z.enum(['minimax', 'none'], { error: "expected 'minimax' or 'none'" }).optional(),
});

export type ModelSettingsEntry = z.output<typeof modelSettingsEntrySchema>;

const NONE: ModelSettings = Object.freeze({});

/**
 * `model_settings`: per upstream model limits and switches, keyed by patterns (see compileGlob) matched against
 * `backend:model` and against the bare model id, e.g. `"nvidia:deepseek-ai/*"` or `"*qwen3*"`. Every matching
 * entry applies, in the order written, a later one overriding an earlier one field by field: a broad entry first
 * (`"*": {max_tokens: 16384}`), exceptions after it.
 */
export function createModelSettings(table: Readonly<Record<string, ModelSettingsEntry>>): (backend: string, model: string) => ModelSettings {
  const entries = Object.entries(table).map(([pattern, entry]) => ({ matches: compileGlob(pattern), entry }));
  if (entries.length === 0) return () => NONE;
  const cache = new BoundedCache<ModelSettings>();
  const lookup = (key: string): ModelSettings => {
    const split = key.indexOf(':');
    const model = key.slice(split + 1);
    let settings: Record<string, unknown> | undefined;
    for (const { matches, entry } of entries) {
      if (!matches(key) && !matches(model)) continue;
      settings ??= {};
      if (entry.max_tokens !== undefined) settings.maxTokens = entry.max_tokens;
      if (entry.reasoning_on !== undefined) settings.reasoningOn = entry.reasoning_on;
      if (entry.reasoning_off !== undefined) settings.reasoningOff = entry.reasoning_off;
      if (entry.replay_reasoning !== undefined) settings.replayReasoning = entry.replay_reasoning;
      if (entry.reasoning_effort !== undefined) settings.reasoningEffort = entry.reasoning_effort;
      if (entry.tool_markup !== undefined) settings.toolMarkup = entry.tool_markup;
    }
    return settings ? Object.freeze(settings as ModelSettings) : NONE;
  };
  return (backend, model) => cache.get(`${backend}:${model}`, lookup);
}
