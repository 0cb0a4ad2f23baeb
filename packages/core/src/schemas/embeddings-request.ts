import { z } from 'zod';
import { parseRequest } from './parse-request.js';

/** OpenAI's most inputs in one request (texts or token lists): a longer batch is its 400, not a call upstream. */
const MAX_INPUTS = 2048;

/**
 * Text, several texts, or token ids (one list or several): what OpenAI's `input` takes. OpenAI refuses an empty text
 * (alone or in a list) with a 400; NIM refuses one too, in its own words, so it is refused here in OpenAI's.
 */
const text = z.string().min(1, 'must not be an empty string');
const tokens = z.array(z.number().int()).min(1);
const inputSchema = z.union([text, z.array(text).min(1).max(MAX_INPUTS), tokens, z.array(tokens).min(1).max(MAX_INPUTS)], {
  error: `must be a non-empty string, a non-empty array of at most ${MAX_INPUTS} non-empty strings, or token ids`,
});

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

/**
 * The text of an embeddings list with its number vectors written as OpenAI writes `encoding_format: "base64"` ones
 * (float32, little-endian, base64), everything else kept; undefined when there is nothing to write (every vector is
 * a string already, or it is no embeddings list).
 */
export function base64EmbeddingsText(json: unknown): string | undefined {
  if (!isEmbeddingsList(json)) return undefined;
  const list = json as { data: { embedding: unknown }[] };
  if (!list.data.some((item) => Array.isArray(item.embedding))) return undefined;
  const data = list.data.map((item) => (Array.isArray(item.embedding) ? { ...item, embedding: float32Base64(item.embedding) } : item));
  return JSON.stringify({ ...list, data });
}

function float32Base64(vector: readonly unknown[]): string {
  const view = new DataView(new ArrayBuffer(vector.length * 4));
  for (const [index, value] of vector.entries()) view.setFloat32(index * 4, Number(value), true);
  return Buffer.from(view.buffer).toString('base64');
}
