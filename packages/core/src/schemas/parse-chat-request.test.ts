import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../errors/invalid-request-error.js';
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
  it('accepts what the schema allows and rejects the rest', () => {
    const base = { model: 'm', messages: [{ role: 'user', content: 'hi' }] };
    const cases: [Record<string, unknown>, boolean][] = [
      [base, true],
      [{ ...base, model: '' }, false],
      [{ ...base, model: 7 }, false],
      [{ ...base, messages: [] }, false],
      [{ ...base, messages: {} }, false],
      [{ ...base, messages: [null] }, false],
      [{ ...base, messages: [['user']] }, false],
      [{ ...base, messages: [{ role: '' }] }, false],
      [{ ...base, messages: [{ role: 'user' }] }, true],
      [{ ...base, messages: [{ role: 'user', content: null }] }, true],
      [{ ...base, messages: [{ role: 'user', content: [{ type: 'text', text: 'x' }] }] }, true],
      [{ ...base, messages: [{ role: 'user', content: 5 }] }, false],
      [{ ...base, messages: [{ role: 'user', content: { text: 'x' } }] }, false],
      [{ ...base, stream: true }, true],
      [{ ...base, stream: null }, true],
      [{ ...base, stream: 'true' }, false],
      [{ ...base, stream_options: null }, true],
      [{ ...base, stream_options: { include_usage: true } }, true],
      [{ ...base, stream_options: { include_usage: null, other: 1 } }, true],
      [{ ...base, stream_options: { include_usage: 'yes' } }, false],
      [{ ...base, stream_options: [] }, false],
      [{ ...base, stream_options: true }, false],
      ...([
        [1, true],
        [64, true],
        [null, true],
        [0, false],
        [-1, false],
        [1.5, false],
        ['64', false],
        [2 ** 53, false],
        [Number.NaN, false],
        [Number.POSITIVE_INFINITY, false],
      ] as const).flatMap(([limit, ok]): [Record<string, unknown>, boolean][] => [
        [{ ...base, max_tokens: limit }, ok],
        [{ ...base, max_completion_tokens: limit }, ok],
      ]),
    ];
    for (const [body, expected] of cases) {
      let accepted = true;
      try {
        parseChatCompletionRequest(body);
      } catch (error) {
        if (!(error instanceof InvalidRequestError)) throw error;
        accepted = false;
      }
      expect({ body, accepted }).toEqual({ body, accepted: expected });
    }
  });

  it('returns a copy the caller may change: the client body is left as it came', () => {
    const body = { model: 'm', messages: [{ role: 'user', content: 'hi' }] };
    const parsed = parseChatCompletionRequest(body);
    parsed.model = 'other';
    expect(body.model).toBe('m');
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
