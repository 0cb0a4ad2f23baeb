import { describe, expect, it } from 'vitest';
import { createUpstreamHttpError } from './upstream-http-error.js';

const KEY = 'nvapi-upstream-key-in-a-header-0123456789';
const errorWith = (retryAfter: string | string[] | undefined) =>
  createUpstreamHttpError({ backend: 'nim', status: 429, bodyText: '{}', headers: { 'retry-after': retryAfter }, url: 'http://nim/v1', secrets: [KEY] });

describe('createUpstreamHttpError', () => {
  it.each(['7', '0', ' 120 ', 'Wed, 21 Oct 2015 07:28:00 GMT', 'Wednesday, 21-Oct-15 07:28:00 GMT', 'Wed Oct 21 07:28:00 2015'])(
    'passes on a well-formed retry-after (%s)',
    (value) => {
      expect(errorWith(value).headers).toEqual({ 'retry-after': value.trim() });
    },
  );

  it.each([KEY, `7 ${KEY}`, `Wed, 21 Oct 2015 07:28:00 GMT ${KEY}`, '<script>', '9'.repeat(40), '-1', '1.5'])(
    'regression: drops a retry-after that is neither seconds nor an HTTP date (%s), which was relayed to the client as it came',
    (value) => {
      expect(errorWith(value).headers).toEqual({});
    },
  );

  it('reads the first of repeated retry-after headers', () => {
    expect(errorWith(['3', '9']).headers).toEqual({ 'retry-after': '3' });
  });

  it("gives a prompt longer than the model's window OpenAI's context_length_exceeded, which vLLM does not name", () => {
    const vllm = (status: number, body: unknown) =>
      createUpstreamHttpError({ backend: 'nim', status, bodyText: JSON.stringify(body), headers: {}, url: 'http://nim/v1', secrets: [] });
    const message = "This model's maximum context length is 8192 tokens. However, you requested 9000 tokens (9000 in the messages, 0 in the completion).";
    const overflow = vllm(400, { object: 'error', message, type: 'BadRequestError', param: null, code: 400 });
    expect(overflow).toMatchObject({ status: 400, code: 'context_length_exceeded', param: 'messages' });
    expect(overflow.message).toContain(message);
    // An upstream's own code stays; another error, or a server error quoting the words, gets none.
    expect(vllm(400, { error: { message, type: 'invalid_request_error', code: 'too_long' } }).code).toBe('too_long');
    expect(vllm(400, { message: 'Extra inputs are not permitted' }).code).toBeNull();
    expect(vllm(500, { message }).code).toBeNull();
  });
});
