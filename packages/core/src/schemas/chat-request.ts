import { z } from 'zod';

const messageSchema = z.looseObject({
  role: z.string().min(1),
  content: z.union([z.string(), z.array(z.unknown()), z.null()]).optional(),
});

const tokenLimit = z.number().int().positive().nullable().optional();

/**
 * A chat completion request. Only what the proxy relies on is checked; every other field (and every provider's
 * own extension) passes through untouched.
 */
export const chatCompletionRequestSchema = z.looseObject({
  model: z.string().min(1, 'must be a non-empty string'),
  messages: z.array(messageSchema).min(1, 'must contain at least one message'),
  stream: z.boolean().nullable().optional(),
  stream_options: z.looseObject({ include_usage: z.boolean().nullable().optional() }).nullable().optional(),
  max_tokens: tokenLimit,
  max_completion_tokens: tokenLimit,
});

export type ChatMessage = z.infer<typeof messageSchema>;
export type ChatCompletionRequest = z.infer<typeof chatCompletionRequestSchema>;
