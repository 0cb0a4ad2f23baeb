import { z } from 'zod';

export const modelSchema = z.looseObject({
  id: z.string().min(1),
  object: z.string().optional(),
  created: z.number().optional(),
  owned_by: z.string().optional(),
});

/** `GET /models`: OpenAI's list shape. */
export const modelListSchema = z.looseObject({
  object: z.string().optional(),
  data: z.array(modelSchema),
});

export type Model = z.infer<typeof modelSchema>;
export type ModelList = z.infer<typeof modelListSchema>;
