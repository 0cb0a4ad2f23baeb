import { chatCompletionRequestSchema, type ChatCompletionRequest } from './chat-request.js';
import { parseRequest } from './parse-request.js';

/**
 * Validates a chat request against its one schema; throws an InvalidRequestError naming the field at fault. Unknown
 * fields pass through (the schema is loose), and the caller may change the copy freely.
 */
export function parseChatCompletionRequest(body: unknown): ChatCompletionRequest {
  return parseRequest(chatCompletionRequestSchema, body);
}
