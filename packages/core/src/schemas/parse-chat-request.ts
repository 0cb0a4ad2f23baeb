import { InvalidRequestError } from '../errors/invalid-request-error.js';
import { chatCompletionRequestSchema, type ChatCompletionRequest } from './chat-request.js';
import { formatZodError } from './format-zod-issue.js';

/**
 * Validates a chat request against its one schema; throws an InvalidRequestError naming the field at fault. The
 * result is zod's copy: unknown fields pass through (the schema is loose), and the caller may change it freely.
 */
export function parseChatCompletionRequest(body: unknown): ChatCompletionRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidRequestError('The request body must be a JSON object');
  }
  const result = chatCompletionRequestSchema.safeParse(body);
  if (result.success) return result.data;
  const { message, param } = formatZodError(result.error);
  throw new InvalidRequestError(message, { param });
}
