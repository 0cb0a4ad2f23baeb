import { describe, expect, it } from 'vitest';
import { maxTokensProblem, missingReasoningProblem, validateChatRequest, type SchemaOptions } from './request-schema.js';

const options = (validationErrorStyle: SchemaOptions['validationErrorStyle']): SchemaOptions => ({ rejectFields: [], allowFields: [], validationErrorStyle });
const body = { model: 'm', messages: [], store: true, metadata: { a: 1 } };

describe('the mock’s wordings of a rejected field', () => {
  it('answers FastAPI’s JSON detail list in the detail-list-422 style', async () => {
    const response = validateChatRequest(body, options('detail-list-422'))!;
    expect(response.status).toBe(422);
    expect(await response.json()).toEqual({
      detail: [
        { type: 'extra_forbidden', loc: ['body', 'store'], msg: 'Extra inputs are not permitted', input: true },
        { type: 'extra_forbidden', loc: ['body', 'metadata'], msg: 'Extra inputs are not permitted', input: { a: 1 } },
      ],
    });
  });

  it('answers problem details in prose in the prose-422 style', async () => {
    const response = validateChatRequest(body, options('prose-422'))!;
    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({ status: 422, title: 'Unprocessable Entity', detail: 'Extra inputs are not permitted: store, metadata' });
  });

  it('accepts the fields NIM’s current models take: reasoning_effort, chat_template_kwargs, parallel_tool_calls', () => {
    const accepted = { model: 'm', messages: [], reasoning_effort: 'high', chat_template_kwargs: { thinking: true }, parallel_tool_calls: true };
    expect(validateChatRequest(accepted, options('problem-422'))).toBeUndefined();
  });
});

describe('a max_tokens over the model’s limit', () => {
  it('is refused with pydantic’s less_than_equal in problem details, naming the limit', async () => {
    const response = maxTokensProblem({ max_tokens: 32000 }, 4096)!;
    expect(response.status).toBe(422);
    expect(await response.json()).toEqual({
      type: 'urn:inference-service:problem-details:bad-request',
      status: 422,
      title: 'Unprocessable Entity',
      detail: "[{'type': 'less_than_equal', 'loc': ('body', 'max_tokens'), 'msg': 'Input should be less than or equal to 4096', 'input': 32000, 'ctx': {'le': 4096}}]",
    });
  });

  it('passes a max_tokens within the limit, none at all, and any for a model without one', () => {
    expect(maxTokensProblem({ max_tokens: 4096 }, 4096)).toBeUndefined();
    expect(maxTokensProblem({}, 4096)).toBeUndefined();
    expect(maxTokensProblem({ max_tokens: 32000 }, undefined)).toBeUndefined();
  });
});

describe('a reasoning model that needs its reasoning back on tool-call turns (DeepSeek-V4 style)', () => {
  const call = { id: 'call_1', type: 'function', function: { name: 'read_file', arguments: '{}' } };
  const turn = (assistant: Record<string, unknown>) => ({
    messages: [
      { role: 'user', content: 'read it' },
      { role: 'assistant', content: '', tool_calls: [call], ...assistant },
      { role: 'tool', tool_call_id: 'call_1', content: 'text' },
    ],
  });

  it("refuses an assistant tool-call message without reasoning_content with DeepSeek's 400, naming its index", async () => {
    const response = missingReasoningProblem(turn({}), true)!;
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: {
        message:
          'Missing `reasoning_content` field in the assistant message at message index 1. For more information, please refer to https://api-docs.deepseek.com/guides/thinking_mode#tool-calls',
        type: 'invalid_request_error',
        param: null,
        code: 'invalid_request_error',
      },
    });
  });

  it('passes a turn that sends the reasoning back (even empty), a model without the rule, and assistant messages without tool calls', () => {
    expect(missingReasoningProblem(turn({ reasoning_content: 'I should read it' }), true)).toBeUndefined();
    expect(missingReasoningProblem(turn({ reasoning_content: '' }), true)).toBeUndefined();
    expect(missingReasoningProblem(turn({}), false)).toBeUndefined();
    expect(missingReasoningProblem({ messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: 'b' }] }, true)).toBeUndefined();
  });
});
