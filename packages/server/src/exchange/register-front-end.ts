import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { outcomeOf } from '../accounting/request-outcome.js';
import { requireProxyKey } from '../auth/require-proxy-key.js';
import { rejectOtherMethods } from '../http/not-found.js';
import { toProxyError } from '../http/to-proxy-error.js';
import { createExchangeHandler } from './exchange-handler.js';
import { logIfBug } from './exchange-outcome.js';
import type { ExchangeDeps } from './exchange-deps.js';
import type { FrontEnd } from './front-end.js';
import { sendRenderedError } from './render-error.js';

/**
 * Serves a front end at `urls` (POST) through the exchange. Call it inside the front end's own plugin: the scope
 * gets the front end's key reading (401 in its shape) and its error handler, so every failure on these routes —
 * Fastify's own body errors included — is answered in the client's dialect. Other routes a front end serves
 * (e.g. a token count that needs no upstream) can be added to the same scope and get both.
 */
export function registerFrontEnd<Body>(scope: FastifyInstance, frontEnd: FrontEnd<Body>, urls: readonly string[], deps: ExchangeDeps): void {
  useDialect(scope, frontEnd, deps);
  const handler = createExchangeHandler(frontEnd, deps);
  for (const url of urls) {
    scope.post(url, handler);
    // In the same scope: without a key a wrong method is 401 like everything else here, so an unauthenticated
    // client cannot probe which methods the API serves.
    rejectOtherMethods(scope, url, ['POST']);
  }
}

/** What a scope needs of a client API to answer in its dialect: its error shape and how it carries the key. */
export type Dialect = Pick<FrontEnd<unknown>, 'renderError' | 'readApiKey' | 'apiKeyHint'>;

/** For a route several client APIs call (`/v1/models`): the dialect a request speaks, told by its headers. */
export type DialectFor = (headers: IncomingHttpHeaders) => Dialect;

/**
 * Makes a scope speak a dialect, or each request its own: every failure on its routes — Fastify's own body errors
 * included — is answered in the dialect's shape, and the proxy key is read the dialect's way (401 in its shape).
 */
export function useDialect(scope: FastifyInstance, dialect: Dialect | DialectFor, deps: ExchangeDeps): void {
  const dialectOf: DialectFor = typeof dialect === 'function' ? dialect : () => dialect;
  scope.setErrorHandler(function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
    const proxyError = toProxyError(error, deps.errors);
    logIfBug(request, error, proxyError, deps.errors.secrets);
    outcomeOf(request).error = proxyError;
    sendRenderedError(reply, dialectOf(request.headers), proxyError, deps.scrubber);
  });
  if (deps.verifier) scope.addHook('onRequest', requireProxyKey(deps.verifier, dialect));
}
