import { InvalidRequestError } from '@proxy/core';
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import { sendError } from './error-handler.js';

const METHODS: readonly HTTPMethods[] = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'];

/**
 * The 404 for a URL the proxy does not serve, in OpenAI's words ("Invalid URL (METHOD /path)", without the query),
 * and `why` after them where the proxy can say more; each scope renders it in its API's shape.
 */
export function invalidUrl(request: FastifyRequest, why?: string): InvalidRequestError {
  const said = `Invalid URL (${request.method} ${request.url.split('?', 1)[0]})`;
  return new InvalidRequestError(why === undefined ? said : `${said}: ${why}`, { status: 404, code: 'unknown_url' });
}

/** Unknown URLs: 404 in OpenAI's shape. */
export function notFoundHandler(request: FastifyRequest, reply: FastifyReply): void {
  sendError(reply, invalidUrl(request));
}

/**
 * Answers 405 with an `allow` header for every method `url` does not serve. Registered next to the real route so
 * the two cannot drift apart. GET implies HEAD, which Fastify serves itself.
 */
export function rejectOtherMethods(app: FastifyInstance, url: string, allowed: readonly HTTPMethods[]): void {
  const served = new Set<HTTPMethods>(allowed.includes('GET') ? [...allowed, 'HEAD'] : allowed);
  const allow = [...served].join(', ');
  app.route({
    method: METHODS.filter((method) => !served.has(method)),
    url,
    // HEAD is in the method list when GET is not served; Fastify must not add a second one.
    exposeHeadRoute: false,
    handler(request, reply) {
      reply.header('allow', allow);
      const path = request.url.split('?', 1)[0];
      // Thrown, not sent: the scope's error handler answers in the shape of the API the route belongs to.
      throw new InvalidRequestError(`Method ${request.method} is not allowed on ${path}; use ${allow}`, {
        status: 405,
        code: 'method_not_allowed',
      });
    },
  });
}
