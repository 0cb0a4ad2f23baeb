import { redactSecrets, type ProxyError } from '@proxy/core';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { outcomeOf } from '../accounting/request-outcome.js';
import { toProxyError, type ErrorContext } from './to-proxy-error.js';

/**
 * The one place a failed request is answered: every error, Fastify's or ours, leaves as an OpenAI error body
 * with its real status and the headers it carries (e.g. `retry-after`).
 */
export function createErrorHandler(options: ErrorContext) {
  return function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
    const proxyError = toProxyError(error, options);
    if (proxyError.status >= 500 && proxyError.code === 'internal_error') {
      // A bug, not an upstream failure: the only case worth a stack trace.
      request.log.error({ err: { type: error.name, message: redactSecrets(String(error.message), options.secrets), stack: error.stack } }, 'unhandled error');
    }
    outcomeOf(request).error = proxyError;
    sendError(reply, proxyError);
  };
}

export function sendError(reply: FastifyReply, error: ProxyError): void {
  reply.code(error.status).headers(error.headers).type('application/json; charset=utf-8').send(error.toBody());
}
