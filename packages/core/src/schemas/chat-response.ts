import { z } from 'zod';
import { usageSchema } from './usage.js';

// Ids are not checked: NIM deployments send numeric and null ids, and clients cope.

/** A non-streaming chat completion. */
export const chatCompletionSchema = z.looseObject({
  choices: z.array(z.looseObject({})),
  usage: usageSchema.nullable().optional(),
});

/** One streamed chunk. `choices` may be absent: NIM's final usage frame sometimes has no `choices` key at all. */
export const chatCompletionChunkSchema = z.looseObject({
  choices: z.array(z.looseObject({})).optional(),
  usage: usageSchema.nullable().optional(),
});

export type ChatCompletion = z.infer<typeof chatCompletionSchema>;
export type ChatCompletionChunk = z.infer<typeof chatCompletionChunkSchema>;
