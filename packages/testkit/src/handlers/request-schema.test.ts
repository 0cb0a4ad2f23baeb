import { describe, expect, it } from 'vitest';
import { validateChatRequest, type SchemaOptions } from './request-schema.js';

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
