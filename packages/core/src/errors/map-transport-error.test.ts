import { errors } from 'undici';
import { describe, expect, it } from 'vitest';
import { mapTransportError } from './map-transport-error.js';
import { ProxyError } from './proxy-error.js';

const context = { backend: 'nvidia', url: 'https://nim.example/v1/chat/completions', aborted: false };

describe('mapTransportError', () => {
  it.each([
    [new errors.ConnectTimeoutError(), 504, 'upstream_connect_timeout'],
    [new errors.HeadersTimeoutError(), 504, 'upstream_timeout'],
    [new errors.BodyTimeoutError(), 504, 'upstream_timeout'],
    [Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 502, 'upstream_unreachable'],
    [Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }), 502, 'upstream_unreachable'],
    [new errors.SocketError('other side closed'), 502, 'upstream_connection_error'],
    [Object.assign(new Error('bad'), { code: 'HPE_INVALID_CONSTANT' }), 502, 'upstream_protocol_error'],
    [new Error('mystery'), 502, 'upstream_error'],
  ])('maps %s to %i %s', (error, status, code) => {
    const mapped = mapTransportError(error, context);
    expect(mapped.status).toBe(status);
    expect(mapped.code).toBe(code);
    expect(mapped.isRetryable).toBe(true);
    expect(mapped.cause).toBe(error);
    expect(mapped.message).toContain('nvidia upstream');
  });

  it('uses the errno of a socket error wrapped by undici', () => {
    const wrapped = Object.assign(new Error('fetch failed'), { cause: Object.assign(new Error('reset'), { code: 'ECONNRESET' }) });
    expect(mapTransportError(wrapped, context).code).toBe('upstream_connection_error');
  });

  it('marks failures after the upstream sent its headers as not retryable (the work may have been done)', () => {
    const mapped = mapTransportError(new errors.SocketError('other side closed'), { ...context, responseStarted: true });
    expect(mapped.code).toBe('upstream_connection_error');
    expect(mapped.isRetryable).toBe(false);
  });

  it('treats anything after the client left as a client abort', () => {
    expect(mapTransportError(new errors.SocketError('x'), { ...context, aborted: true }).status).toBe(499);
    expect(mapTransportError(new errors.RequestAbortedError(), context).code).toBe('client_closed_request');
  });

  it('passes ProxyErrors through', () => {
    const error = new ProxyError({ message: 'x', status: 418 });
    expect(mapTransportError(error, context)).toBe(error);
  });
});
