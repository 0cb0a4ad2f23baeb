import { ClientAbortError, InvalidRequestError, mapTransportError, ProxyError, upstreamStreamError } from '@proxy/core';
import { errors } from 'undici';
import { describe, expect, it } from 'vitest';
import { retryAfterMs, retryDelayMs, retryReason, type RetryPolicy } from './retry-policy.js';

const upstream = (status: number, headers: Record<string, string> = {}) =>
  new ProxyError({ message: `HTTP ${status}`, status, upstreamStatus: status, headers });
const transport = (error: unknown, responseStarted = false) =>
  mapTransportError(error, { backend: 'nvidia', url: 'http://nim/v1/chat/completions', aborted: false, responseStarted });
const policy: RetryPolicy = { maxRetries: 2, baseDelayMs: 500, maxDelayMs: 8000 };

describe('retryReason', () => {
  it.each([429, 502, 503, 504])('retries an upstream %i', (status) => {
    expect(retryReason(upstream(status))).toBe(`http_${status}`);
  });

  it.each([400, 401, 403, 404, 408, 409, 410, 422, 500, 501])('never retries an upstream %i', (status) => {
    expect(retryReason(upstream(status))).toBeUndefined();
  });

  it("retries an error NIM reported as its stream's first event, unless the client caused it", () => {
    expect(retryReason(upstreamStreamError({ error: { message: 'engine died', code: 500 } }, 'nvidia'))).toBe('upstream_stream_error');
    expect(retryReason(upstreamStreamError({ error: { message: 'too long', code: 400 } }, 'nvidia'))).toBeUndefined();
  });

  it('retries failures before the upstream answered', () => {
    expect(retryReason(transport(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })))).toBe('upstream_unreachable');
    expect(retryReason(transport(new errors.ConnectTimeoutError()))).toBe('upstream_connect_timeout');
    expect(retryReason(transport(new errors.SocketError('other side closed')))).toBe('upstream_connection_error');
  });

  it('never retries the proxy’s own timeouts: the upstream may still be working', () => {
    expect(retryReason(transport(new errors.HeadersTimeoutError()))).toBeUndefined();
    expect(retryReason(transport(new errors.BodyTimeoutError()))).toBeUndefined();
  });

  it('never retries after the upstream sent headers, a client abort, a client mistake or a non-ProxyError', () => {
    expect(retryReason(transport(new errors.SocketError('other side closed'), true))).toBeUndefined();
    expect(retryReason(new ClientAbortError())).toBeUndefined();
    expect(retryReason(new InvalidRequestError('bad'))).toBeUndefined();
    expect(retryReason(new Error('bug'))).toBeUndefined();
    expect(retryReason(new ProxyError({ message: 'no key', status: 503, code: 'upstream_api_key_missing', isRetryable: false }))).toBeUndefined();
  });
});

describe('retryAfterMs', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');
  it('reads delta-seconds and HTTP dates', () => {
    expect(retryAfterMs(upstream(429, { 'retry-after': '3' }), now)).toBe(3000);
    expect(retryAfterMs(upstream(429, { 'retry-after': 'Wed, 01 Jan 2025 00:00:05 GMT' }), now)).toBe(5000);
    expect(retryAfterMs(upstream(429, { 'retry-after': 'Tue, 31 Dec 2024 23:59:00 GMT' }), now)).toBe(0);
  });

  it('ignores an absent or unreadable header', () => {
    expect(retryAfterMs(upstream(429), now)).toBeUndefined();
    expect(retryAfterMs(upstream(429, { 'retry-after': 'soon' }), now)).toBeUndefined();
    expect(retryAfterMs(new Error('x'), now)).toBeUndefined();
  });
});

describe('retryDelayMs', () => {
  it('backs off exponentially with full jitter, capped', () => {
    expect(retryDelayMs(policy, 0, upstream(503), 0, () => 0.999)).toBe(499);
    expect(retryDelayMs(policy, 1, upstream(503), 0, () => 0.5)).toBe(500);
    expect(retryDelayMs(policy, 3, upstream(503), 0, () => 0.999)).toBe(3996);
    expect(retryDelayMs(policy, 10, upstream(503), 0, () => 0.999)).toBe(7992);
    expect(retryDelayMs(policy, 2, upstream(503), 0, () => 0)).toBe(0);
  });

  it('honours Retry-After up to the cap, and gives up when asked to wait longer', () => {
    expect(retryDelayMs(policy, 0, upstream(429, { 'retry-after': '1' }), 0, () => 0)).toBe(1000);
    expect(retryDelayMs(policy, 0, upstream(429, { 'retry-after': '8' }), 0, () => 0)).toBe(8000);
    expect(retryDelayMs(policy, 0, upstream(429, { 'retry-after': '60' }), 0, () => 0)).toBeUndefined();
  });
});
