import { ProxyError } from '@proxy/core';

/**
 * The answer to a request that arrives while the proxy drains: it came on a connection opened before, since the
 * listener takes no new ones. A 503 in the client's own API shape (the SDKs retry it, on a new connection: another
 * replica, or this one once it is back), and `connection: close` so nothing more comes on this one. Fastify's own
 * answer (`return503OnClosing`) has a body in no client's shape and no log line, so it is turned off.
 */
export function shuttingDownError(): ProxyError {
  return new ProxyError({
    status: 503,
    code: 'shutting_down',
    headers: { connection: 'close' },
    message: 'The proxy is shutting down and takes no new requests: send the request again.',
  });
}
