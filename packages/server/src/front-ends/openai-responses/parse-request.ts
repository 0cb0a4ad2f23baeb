import { formatZodError, InvalidRequestError } from '@proxy/core';
import { responsesRequestSchema, type ResponsesRequest } from './request-schema.js';

export const NO_STATE = 'this proxy keeps no conversation state (nothing is stored); send the whole conversation in `input` with `store: false`, as Codex does';
// The OpenAI Agents SDK sends these two only when its user passes them to a run (or uses an
// OpenAIConversationsSession): its default needs no stored state, and the user sees only this message.
const AGENTS_SDK_HINT =
  '(the OpenAI Agents SDK: run without `previousResponseId` or `conversationId`, with the last `result.history` and the new turn as input, or a local session such as `MemorySession`)';

/** Validates a Responses request; throws an InvalidRequestError (400) naming the field at fault. */
export function parseResponsesRequest(body: unknown): ResponsesRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidRequestError('The request body must be a JSON object');
  }
  const result = responsesRequestSchema.safeParse(body);
  if (!result.success) {
    const { message, param } = formatZodError(result.error);
    throw new InvalidRequestError(message, { param });
  }
  const request = result.data;
  if (request.previous_response_id) {
    throw new InvalidRequestError(`'previous_response_id' is not supported: ${NO_STATE} ${AGENTS_SDK_HINT}`, { param: 'previous_response_id' });
  }
  if (request.conversation !== undefined && request.conversation !== null) {
    throw new InvalidRequestError(`'conversation' is not supported: ${NO_STATE} ${AGENTS_SDK_HINT}`, { param: 'conversation' });
  }
  if (request.prompt !== undefined && request.prompt !== null) {
    // A template lives on OpenAI's side: ignored, it would leave the model without the template's instructions
    // and input, and answer anyway.
    throw new InvalidRequestError(
      "'prompt' is not supported: prompt templates are stored by OpenAI and this proxy keeps none; send the template's instructions and input in the request",
      { param: 'prompt' },
    );
  }
  if (request.background) {
    throw new InvalidRequestError(`'background: true' is not supported: ${NO_STATE}, so there is no response to poll later`, { param: 'background' });
  }
  if (request.input === undefined) throw new InvalidRequestError("Invalid 'input': is required", { param: 'input' });
  return request;
}
