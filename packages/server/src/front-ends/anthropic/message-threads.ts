import { InvalidRequestError, isRecord } from '@proxy/core';

/** The `error.details.error_code` with which Anthropic's API answers a thread it does not hold. */
export const THREAD_NOT_FOUND = 'thread_not_found';

/**
 * Anthropic's message threads (a beta the Anthropic SDK's tool runner uses by default): a request with
 * `thread: {type: "create"}` asks the API to store the conversation, and the next turn sends
 * `thread: {type: "continue", previous_message_id}` with only the new messages. The proxy stores nothing. It answers
 * `create` as a plain request (its `thread` is not sent to NIM), and a `continue` — whose conversation it cannot
 * rebuild — as a thread it does not hold, with Anthropic's `thread_not_found` code: on that code the SDK sends the
 * whole conversation again under a new thread, which the proxy answers. One quick refusal a turn, NIM not called,
 * instead of a failed agent loop.
 */
export function refuseThreadContinuation(body: unknown): void {
  if (!isRecord(body) || !isRecord(body.thread) || body.thread.type !== 'continue') return;
  const previous = typeof body.thread.previous_message_id === 'string' ? ` '${body.thread.previous_message_id}'` : '';
  throw new InvalidRequestError(
    `Thread${previous} not found: this proxy keeps no conversation state, so it cannot continue a message thread; send the whole conversation (the Anthropic SDK's tool runner does so itself on this error)`,
    { status: 404, param: 'thread', code: THREAD_NOT_FOUND },
  );
}
