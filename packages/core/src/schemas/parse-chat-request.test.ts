import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../errors/invalid-request-error.js';
import { chatCompletionRequestSchema } from './chat-request.js';
import { modelListSchema } from './model-list.js';
import { parseChatCompletionRequest } from './parse-chat-request.js';

function rejection(body: unknown): InvalidRequestError {
  try {
    parseChatCompletionRequest(body);
  } catch (error) {
    if (error instanceof InvalidRequestError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('parseChatCompletionRequest', () => {
  it('accepts exactly what the schema accepts (the hand-written fast path is never looser than zod)', () => {
    const base = { model: 'm', messages: [{ role: 'user', content: 'hi' }] };
    const variants: Record<string, unknown>[] = [
      base,
      { ...base, model: '' },
      { ...base, model: 7 },
      { ...base, messages: [] },
      { ...base, messages: {} },
      { ...base, messages: [null] },
      { ...base, messages: [['user']] },
      { ...base, messages: [{ role: '' }] },
      { ...base, messages: [{ role: 'user' }] },
      { ...base, messages: [{ role: 'user', content: null }] },
      { ...base, messages: [{ role: 'user', content: [{ type: 'text', text: 'x' }] }] },
      { ...base, messages: [{ role: 'user', content: 5 }] },
      { ...base, messages: [{ role: 'user', content: { text: 'x' } }] },
      { ...base, stream: true },
      { ...base, stream: null },
      { ...base, stream: 'true' },
      { ...base, stream_options: null },
      { ...base, stream_options: { include_usage: true } },
      { ...base, stream_options: { include_usage: null, other: 1 } },
      { ...base, stream_options: { include_usage: 'yes' } },
      { ...base, stream_options: [] },
      { ...base, stream_options: true },
      ...[1, 64, null, 0, -1, 1.5, '64', 2 ** 53, Number.NaN, Number.POSITIVE_INFINITY].flatMap((limit) => [
        { ...base, max_tokens: limit },
        { ...base, max_completion_tokens: limit },
      ]),
    ];
    for (const body of variants) {
      const expected = chatCompletionRequestSchema.safeParse(body);
      let accepted = true;
      try {
        expect(parseChatCompletionRequest(body)).toEqual(expected.data);
      } catch (error) {
        if (!(error instanceof InvalidRequestError)) throw error;
        accepted = false;
      }
      expect({ body, accepted }).toEqual({ body, accepted: expected.success });
    }
  });

  it('passes through fields it does not know, untouched', () => {
    const body = {
      model: 'm',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }], name: 'me' }],
      nvext: { guided_json: { type: 'object' } },
      tools: [{ type: 'function', function: { name: 'f' } }],
      stream: true,
      stream_options: { include_usage: true },
    };
    expect(parseChatCompletionRequest(body)).toEqual(body);
  });

  it.each([
    [null, 'The request body must be a JSON object', null],
    [[1], 'The request body must be a JSON object', null],
    [{ messages: [{ role: 'user', content: 'x' }] }, "Invalid 'model'", 'model'],
    [{ model: '', messages: [{ role: 'user' }] }, "Invalid 'model': must be a non-empty string", 'model'],
    [{ model: 'm', messages: [] }, "Invalid 'messages': must contain at least one message", 'messages'],
    [{ model: 'm', messages: [{ role: 7 }] }, "Invalid 'messages[0].role'", 'messages[0].role'],
    [{ model: 'm', messages: [{ role: 'user' }], stream: 'yes' }, "Invalid 'stream'", 'stream'],
    [{ model: 'm', messages: [{ role: 'user' }], max_tokens: -1 }, "Invalid 'max_tokens'", 'max_tokens'],
  ])('rejects %j precisely', (body, message, param) => {
    const error = rejection(body);
    expect(error.status).toBe(400);
    expect(error.message.startsWith(message)).toBe(true);
    expect(error.param).toBe(param);
  });

  it('counts further problems in the message', () => {
    expect(rejection({ model: 1, messages: 'no' }).message).toMatch(/\(and 1 more problem\)$/);
  });
});

describe('modelListSchema', () => {
  it('accepts OpenAI lists with extra fields and rejects entries without ids', () => {
    expect(modelListSchema.safeParse({ object: 'list', data: [{ id: 'a', root: 'a', max_model_len: 4096 }] }).success).toBe(true);
    expect(modelListSchema.safeParse({ data: [{ object: 'model' }] }).success).toBe(false);
  });
});
