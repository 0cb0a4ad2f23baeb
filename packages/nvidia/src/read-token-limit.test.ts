import { describe, expect, it } from 'vitest';
import { readTokenLimit } from './read-token-limit.js';

describe('readTokenLimit', () => {
  it("reads the model's cap from pydantic's less_than_equal, printed as Python in problem details", () => {
    const body = JSON.stringify({
      type: 'urn:inference-service:problem-details:bad-request',
      status: 422,
      title: 'Unprocessable Entity',
      detail: "[{'type': 'less_than_equal', 'loc': ('body', 'max_tokens'), 'msg': 'Input should be less than or equal to 4096', 'input': 32000, 'ctx': {'le': 4096}}]",
    });
    expect(readTokenLimit(body)).toEqual({ maxTokens: 4096, fixed: true });
  });

  it('reads it from a JSON detail list and from prose', () => {
    const list = JSON.stringify({ detail: [{ type: 'less_than_equal', loc: ['body', 'max_tokens'], msg: 'Input should be less than or equal to 8192', input: 32000, ctx: { le: 8192 } }] });
    expect(readTokenLimit(list)).toEqual({ maxTokens: 8192, fixed: true });
    expect(readTokenLimit('{"message":"Validation: max_tokens: Input should be less than or equal to 2048"}')).toEqual({ maxTokens: 2048, fixed: true });
  });

  it("reads what vLLM's context window leaves for this prompt, in both of its wordings", () => {
    const newer = "'max_tokens' or 'max_completion_tokens' is too large: 32000. This model's maximum context length is 8192 tokens and your request has 5000 input tokens (32000 > 8192 - 5000).";
    expect(readTokenLimit(JSON.stringify({ object: 'error', message: newer, type: 'BadRequestError', code: 400 }))).toEqual({ maxTokens: 3192, fixed: false });
    const older = "This model's maximum context length is 8192 tokens. However, you requested 37000 tokens (5000 in the messages, 32000 in the completion). Please reduce the length of the messages or completion.";
    expect(readTokenLimit(JSON.stringify({ object: 'error', message: older }))).toEqual({ maxTokens: 3192, fixed: false });
  });

  it('says nothing of other errors, of limits on other fields, or of a nested max_tokens', () => {
    expect(readTokenLimit('{"status":422,"detail":"Extra inputs are not permitted: store"}')).toBeUndefined();
    expect(readTokenLimit("[{'type': 'less_than_equal', 'loc': ('body', 'temperature'), 'msg': 'Input should be less than or equal to 2'}]")).toBeUndefined();
    expect(readTokenLimit(JSON.stringify({ detail: [{ type: 'less_than_equal', loc: ['body', 'tools', 0, 'max_tokens'], ctx: { le: 5 } }] }))).toBeUndefined();
    expect(readTokenLimit('not json at all')).toBeUndefined();
  });
});
