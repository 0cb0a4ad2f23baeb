import { ProxyError } from '@proxy/core';
import { describe, expect, it } from 'vitest';
import { errorFrame, renderAnthropicError } from './render-error.js';

describe("errors in Anthropic's shape", () => {
  it('answers an overloaded upstream with 529 overloaded_error, which the SDKs and Claude Code retry', () => {
    const rendered = renderAnthropicError(new ProxyError({ status: 503, message: 'busy', headers: { 'retry-after': '3' } }));
    expect(rendered).toEqual({ status: 529, headers: { 'retry-after': '3' }, body: { type: 'error', error: { type: 'overloaded_error', message: 'busy' } } });
  });

  it('answers a 503 no retry can fix (no upstream key) with 500 api_error and x-should-retry: false, not an overload', () => {
    const missing = new ProxyError({
      status: 503,
      code: 'upstream_api_key_missing',
      isRetryable: false,
      headers: { 'x-should-retry': 'false' },
      message: 'The nvidia backend has no API key configured',
    });
    expect(renderAnthropicError(missing)).toEqual({
      status: 500,
      headers: { 'x-should-retry': 'false' },
      body: { type: 'error', error: { type: 'api_error', message: 'The nvidia backend has no API key configured' } },
    });
    expect(errorFrame(missing)).toContain('"type":"api_error"');
  });

  it('keeps a refused key from being retried', () => {
    expect(renderAnthropicError(new ProxyError({ status: 401, message: 'Invalid proxy API key' })).headers).toEqual({ 'x-should-retry': 'false' });
  });

  it("says a request longer than the model's window in Anthropic's words, whose numbers Claude Code reads", () => {
    const overflow = (message: string) => new ProxyError({ status: 400, code: 'context_length_exceeded', message: `NVIDIA NIM rejected the request (HTTP 400): ${message}` });
    const promptTooLong = overflow("This model's maximum context length is 131072 tokens. However, you requested 140000 tokens (140000 in the messages, 0 in the completion).");
    expect(renderAnthropicError(promptTooLong)).toMatchObject({
      status: 400,
      body: { type: 'error', error: { type: 'invalid_request_error', message: 'prompt is too long: 140000 tokens > 131072 maximum' } },
    });
    expect(errorFrame(promptTooLong)).toContain('"message":"prompt is too long: 140000 tokens > 131072 maximum"');
    const answerTooLong = overflow("This model's maximum context length is 131072 tokens. However, you requested 152000 tokens (120000 in the messages, 32000 in the completion).");
    expect(renderAnthropicError(answerTooLong).body).toMatchObject({
      error: { message: 'input length and `max_tokens` exceed context limit: 120000 + 32000 > 131072, decrease input length or `max_tokens` and try again' },
    });
    // Without both numbers, NIM's own words stay; so does any other 400.
    const unnamed = overflow('Input is longer than the maximum model length');
    expect(renderAnthropicError(unnamed).body).toMatchObject({ error: { message: unnamed.message } });
    const other = new ProxyError({ status: 400, message: "This model's maximum context length is 10 tokens, said a different error" });
    expect(renderAnthropicError(other).body).toMatchObject({ error: { message: other.message } });
  });
});

