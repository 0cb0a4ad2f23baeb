import { z } from 'zod';
import { isRecord } from '../is-record.js';
import { usageSchema } from './usage.js';

// Ids are not checked: NIM deployments send numeric and null ids, and clients cope.

/** A non-streaming chat completion. */
export const chatCompletionSchema = z.looseObject({
  choices: z.array(z.looseObject({})),
  usage: usageSchema.nullable().optional(),
});

/**
 * chatCompletionSchema's rules by hand, for the hot path: true only for bodies the schema accepts (it may be
 * stricter, never looser), so zod runs only when something is off and its message is needed.
 * Hand-written: zod alone cost 6–7% of a connector call, where `pnpm bench` misses its targets (performance.md).
 */
export function isWellFormedChatCompletion(json: unknown): json is ChatCompletion {
  if (!isRecord(json) || !Array.isArray(json.choices)) return false;
  for (const choice of json.choices as unknown[]) if (!isRecord(choice)) return false;
  const usage = json.usage;
  if (usage === undefined || usage === null) return true;
  return (
    isRecord(usage) &&
    isCount(usage.prompt_tokens) &&
    (usage.completion_tokens === undefined || isCount(usage.completion_tokens)) &&
    (usage.total_tokens === undefined || isCount(usage.total_tokens))
  );
}

function isCount(value: unknown): boolean {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

/** One streamed chunk. `choices` may be absent: NIM's final usage frame sometimes has no `choices` key at all. */
export const chatCompletionChunkSchema = z.looseObject({
  choices: z.array(z.looseObject({})).optional(),
  usage: usageSchema.nullable().optional(),
});

export type ChatCompletion = z.infer<typeof chatCompletionSchema>;
export type ChatCompletionChunk = z.infer<typeof chatCompletionChunkSchema>;
