import { describe, expect, it } from 'vitest';
import { ClientAbortError } from './client-abort-error.js';
import { InvalidRequestError } from './invalid-request-error.js';
import { errorTypeForStatus } from './openai-error-body.js';
import { ProxyError } from './proxy-error.js';
import { redactSecrets } from './redact-secrets.js';
import { createUpstreamHttpError } from './upstream-http-error.js';

describe('ProxyError', () => {
  it('renders the OpenAI error shape', () => {
    const error = new InvalidRequestError("Invalid 'messages': required", { param: 'messages' });
    expect(error.status).toBe(400);
    expect(error.isRetryable).toBe(false);
    expect(error.toBody()).toEqual({
      error: { message: "Invalid 'messages': required", type: 'invalid_request_error', param: 'messages', code: null },
    });
  });

  it('is recognised across copies of the package by its Symbol.for marker', () => {
    const foreign = Object.assign(new Error('x'), { [Symbol.for('@proxy/core/proxy-error')]: true });
    expect(ProxyError.isInstance(foreign)).toBe(true);
    expect(ProxyError.isInstance(new Error('x'))).toBe(false);
    expect(ProxyError.isInstance(new ClientAbortError())).toBe(true);
  });

  it('derives type and retryability from the status', () => {
    expect(errorTypeForStatus(401)).toBe('authentication_error');
    expect(errorTypeForStatus(429)).toBe('rate_limit_error');
    expect(errorTypeForStatus(504)).toBe('timeout_error');
    expect(new ProxyError({ message: 'x', status: 429 }).isRetryable).toBe(true);
    expect(new ProxyError({ message: 'x', status: 503 }).isRetryable).toBe(true);
    expect(new ProxyError({ message: 'x', status: 404 }).isRetryable).toBe(false);
  });
});

describe('createUpstreamHttpError', () => {
  it('keeps the status, quotes the reason, passes Retry-After, and removes secrets', () => {
    const error = createUpstreamHttpError({
      backend: 'nvidia',
      status: 429,
      bodyText: '{"status":429,"title":"Too Many Requests","detail":"slow down, key nvapi-SECRET-123"}',
      headers: { 'retry-after': '7' },
      url: 'https://nim.example/v1/chat/completions',
      secrets: ['nvapi-SECRET-123'],
    });
    expect(error.status).toBe(429);
    expect(error.type).toBe('rate_limit_error');
    expect(error.message).toBe('The nvidia upstream answered HTTP 429: slow down, key [redacted]');
    expect(error.headers).toEqual({ 'retry-after': '7' });
    expect(error.responseBody).not.toContain('nvapi-SECRET-123');
  });

  it('falls back to the status reason for an empty body', () => {
    const error = createUpstreamHttpError({ backend: 'b', status: 503, bodyText: '', headers: {}, url: 'u', secrets: [] });
    expect(error.message).toBe('The b upstream answered HTTP 503: Service Unavailable');
    expect(error.isRetryable).toBe(true);
  });

  it('uses an explanation as the lead', () => {
    const error = createUpstreamHttpError({
      backend: 'nvidia', status: 403, bodyText: '{"detail":"Authorization failed"}', headers: {}, url: 'u', secrets: [],
      explanation: 'NVIDIA refused the API key',
    });
    expect(error.message).toBe('NVIDIA refused the API key: Authorization failed');
    expect(error.type).toBe('permission_error');
  });
});

describe('redactSecrets', () => {
  it('replaces every occurrence and ignores empty or tiny values', () => {
    expect(redactSecrets('a sk-1234 b sk-1234', ['sk-1234', undefined, ''])).toBe('a [redacted] b [redacted]');
    expect(redactSecrets('abc', ['a'])).toBe('abc');
  });
});
