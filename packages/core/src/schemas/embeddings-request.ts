import { z } from 'zod';
import { parseRequest } from './parse-request.js';

/** Text, several texts, or token ids (one list or several): what OpenAI's `input` takes. */
const inputSchema = z.union(
  [z.string(), z.array(z.string()).min(1), z.array(z.number().int()).min(1), z.array(z.array(z.number().int()).min(1)).min(1)],
  { error: 'must be a string, a non-empty array of strings, or token ids' },
);

/**
 * An embeddings request (`POST /v1/embeddings`). Only what the proxy relies on is checked; every other field (NIM's
 * `input_type` and `truncate` among them) passes through untouched.
 */
export const embeddingsRequestSchema = z.looseObject({
  model: z.string().min(1, 'must be a non-empty string'),
  input: inputSchema,
  encoding_format: z.enum(['float', 'base64'], { error: "must be 'float' or 'base64'" }).optional(),
  dimensions: z.number().int().positive().optional(),
});

export type EmbeddingsRequest = z.infer<typeof embeddingsRequestSchema>;

/** Validates an embeddings request; throws an InvalidRequestError naming the field at fault. */
export function parseEmbeddingsRequest(body: unknown): EmbeddingsRequest {
  return parseRequest(embeddingsRequestSchema, body);
}

/** Whether an upstream's answer is an embeddings list: `{"data":[…]}`, each item with an `embedding`. */
export function isEmbeddingsList(json: unknown): boolean {
  if (typeof json !== 'object' || json === null) return false;
  const data = (json as { data?: unknown }).data;
  return Array.isArray(data) && data.every((item) => typeof item === 'object' && item !== null && 'embedding' in item);
}
