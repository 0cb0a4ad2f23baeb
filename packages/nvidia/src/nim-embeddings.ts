import { ProxyError, type EmbeddingsRequest } from '@proxy/core';
import { readRejectedFields } from './read-rejected-fields.js';

/** Never dropped to please NIM: without them the request is not the one the client made. */
const ESSENTIAL_FIELDS = new Set(['model', 'input']);

/** NIM's refusal of an asymmetric embedding model's request that does not say what the text is. */
const INPUT_TYPE_MISSING = /input_type/i;

/** What a refused embeddings request shows NIM wants instead, or the client's answer when nothing can be fixed. */
export type EmbeddingsFix = { kind: 'drop'; fields: string[] } | { kind: 'input_type' } | { kind: 'refuse'; error: ProxyError } | undefined;

/**
 * How to answer NIM's 400/422 to an embeddings body: drop the top-level fields its schema forbids (`dimensions`
 * on a model without Matryoshka sizes, a field of OpenAI's it does not know), or — for NVIDIA's asymmetric
 * retrieval models, which refuse a request without `input_type` — say what the text is. Undefined for any other
 * error.
 */
export function embeddingsFixFor(error: unknown, body: EmbeddingsRequest): EmbeddingsFix {
  if (!ProxyError.isInstance(error) || (error.upstreamStatus !== 422 && error.upstreamStatus !== 400) || !error.responseBody) return undefined;
  const fields = readRejectedFields(error.responseBody).filter((field) => !ESSENTIAL_FIELDS.has(field) && body[field] !== undefined);
  // Dropped, it would answer vectors of the model's own size, which a vector store set up for the asked size
  // refuses later, far from the cause: OpenAI answers a model without sizes the same way.
  if (fields.includes('dimensions')) return { kind: 'refuse', error: dimensionsRefused() };
  if (fields.length > 0) return { kind: 'drop', fields };
  return body.input_type === undefined && INPUT_TYPE_MISSING.test(error.responseBody) ? { kind: 'input_type' } : undefined;
}

/** `request` without `fields`, and with `input_type: "query"` when the model needs one and the client sent none. */
export function toNimEmbeddingsBody(request: EmbeddingsRequest, fields: ReadonlySet<string> | undefined, needsInputType: boolean): EmbeddingsRequest {
  if (fields === undefined && (!needsInputType || request.input_type !== undefined)) return request;
  const body: EmbeddingsRequest = { ...request };
  for (const field of fields ?? []) delete body[field];
  if (needsInputType && body.input_type === undefined) body.input_type = 'query';
  return body;
}

function dimensionsRefused(): ProxyError {
  return new ProxyError({
    status: 400,
    code: 'unsupported_parameter',
    param: 'dimensions',
    upstreamStatus: 400,
    message:
      'This model does not take `dimensions` (NVIDIA NIM refused the field): its vectors have one size. Leave ' +
      '`dimensions` out, or use a model with Matryoshka sizes such as nvidia/llama-3.2-nv-embedqa-1b-v2.',
  });
}
