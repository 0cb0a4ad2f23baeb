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
});
