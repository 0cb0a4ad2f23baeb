import { InvalidRequestError } from '@proxy/core';
import { describe, expect, it } from 'vitest';
import { createAnthropicFrontEnd } from './anthropic-front-end.js';
import { renderAnthropicError } from './render-error.js';
import { context } from './test-support.js';

const frontEnd = createAnthropicFrontEnd();
const base = { model: 'claude-sonnet-4-5', max_tokens: 1000 };

function refusal(body: unknown): InvalidRequestError {
  try {
    frontEnd.parse(body);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidRequestError);
    return error as InvalidRequestError;
  }
  throw new Error('parse accepted the body');
}

describe("Anthropic's message threads on a proxy that stores nothing", () => {
  it('answers a thread the client creates as a plain request, and does not send the thread field to NIM', () => {
    const request = frontEnd.toChatRequest(frontEnd.parse({ ...base, thread: { type: 'create' }, messages: [{ role: 'user', content: 'hi' }] }), context()) as unknown as Record<string, unknown>;
    expect(request).not.toHaveProperty('thread');
    expect(request.messages).toEqual([{ role: 'user', content: 'hi' }]);
  });

  it("refuses to continue a thread with Anthropic's thread_not_found, which the SDK answers by sending the whole conversation", () => {
    // What the Anthropic SDK's tool runner sends on its second turn: only the tool's result, answering a call the proxy never saw.
    const error = refusal({
      ...base,
      thread: { type: 'continue', previous_message_id: 'msg_1' },
      messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'sunny' }] }],
    });
    expect(error).toMatchObject({ status: 404, param: 'thread', code: 'thread_not_found' });
    expect(error.message).toContain("'msg_1'");
    expect(renderAnthropicError(error)).toEqual({
      status: 404,
      headers: undefined,
      body: { type: 'error', error: { type: 'not_found_error', message: error.message, details: { error_code: 'thread_not_found' } } },
    });
  });

  it('gives no other error a details code', () => {
    const error = refusal({ ...base, messages: [] });
    expect((renderAnthropicError(error).body as { error: object }).error).not.toHaveProperty('details');
  });
});
