import { InvalidRequestError } from '../errors/invalid-request-error.js';
import { isRecord } from '../is-record.js';
import { chatCompletionRequestSchema, type ChatCompletionRequest } from './chat-request.js';
import { formatZodError } from './format-zod-issue.js';

/** Validates a chat request; throws an InvalidRequestError naming the field at fault. */
export function parseChatCompletionRequest(body: unknown): ChatCompletionRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidRequestError('The request body must be a JSON object');
  }
  // Nearly every request is well formed: it is returned as it is, and zod runs only to explain what is wrong.
  if (isWellFormed(body as Record<string, unknown>)) return body as ChatCompletionRequest;
  const result = chatCompletionRequestSchema.safeParse(body);
  if (result.success) return result.data;
  const { message, param } = formatZodError(result.error);
  throw new InvalidRequestError(message, { param });
}

/**
 * The schema's rules, checked by hand (zod's parse costs more than the rest of routing a request). It may only be
 * stricter than the schema, never looser: anything it does not accept goes to zod, which decides.
 */
function isWellFormed(body: Record<string, unknown>): boolean {
  const { model, messages, stream, stream_options: streamOptions } = body;
  if (typeof model !== 'string' || model.length === 0) return false;
  if (!Array.isArray(messages) || messages.length === 0) return false;
  for (const message of messages as unknown[]) {
    if (!isRecord(message)) return false;
    const { role, content } = message;
    if (typeof role !== 'string' || role.length === 0) return false;
    if (content !== undefined && content !== null && typeof content !== 'string' && !Array.isArray(content)) return false;
  }
  if (stream !== undefined && stream !== null && typeof stream !== 'boolean') return false;
  if (streamOptions !== undefined && streamOptions !== null) {
    if (!isRecord(streamOptions)) return false;
    const includeUsage = streamOptions.include_usage;
    if (includeUsage !== undefined && includeUsage !== null && typeof includeUsage !== 'boolean') return false;
  }
  return isTokenLimit(body.max_tokens) && isTokenLimit(body.max_completion_tokens);
}

function isTokenLimit(value: unknown): boolean {
  return value === undefined || value === null || (Number.isSafeInteger(value) && (value as number) > 0);
}
