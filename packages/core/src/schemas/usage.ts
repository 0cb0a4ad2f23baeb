import { z } from 'zod';

/** Token counts as OpenAI reports them; other fields (e.g. `completion_tokens_details`) pass through. */
export const usageSchema = z.looseObject({
  prompt_tokens: z.number().nonnegative(),
  completion_tokens: z.number().nonnegative().optional(),
  total_tokens: z.number().nonnegative().optional(),
});

export type Usage = z.infer<typeof usageSchema>;
