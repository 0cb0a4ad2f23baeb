import { ProxyError } from '@proxy/core';
import type { FastifyRequest, onRequestAsyncHookHandler, onRequestHookHandler } from 'fastify';
import type { ApiKeyVerifier } from './api-key-verifier.js';

const CHALLENGE = { 'www-authenticate': 'Bearer' };

// No g/y flag, so exec keeps no state and one instance can be shared. Measured faster than a hand-rolled scan.
const BEARER = /^\s*bearer\s+(\S+)\s*$/i;

/** The key a client presented as `Authorization: Bearer <key>`, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  return BEARER.exec(header)?.[1];
}

/** Why the request may not pass, or undefined when it carries one of the proxy's keys. */
function rejection(verifier: ApiKeyVerifier, request: FastifyRequest): ProxyError | undefined {
  const token = bearerToken(request.headers.authorization);
  if (token === undefined) {
    return new ProxyError({
      status: 401,
      code: 'missing_api_key',
      headers: CHALLENGE,
      message: "Missing proxy API key: send it as 'Authorization: Bearer <key>'",
    });
  }
  if (!verifier.verify(token)) {
    return new ProxyError({ status: 401, code: 'invalid_api_key', headers: CHALLENGE, message: 'Invalid proxy API key' });
  }
  return undefined;
}

/**
 * An onRequest hook answering 401 unless the request carries one of the proxy's keys. Callback style on purpose:
 * Fastify runs the next step synchronously, where an async hook costs a promise and a microtask on every request.
 */
export function bearerAuthHook(verifier: ApiKeyVerifier): onRequestHookHandler {
  return function requireProxyKey(request, _reply, done) {
    done(rejection(verifier, request));
  };
}

/** The same check as an async hook, for plugins whose options take one (`/metrics`, which is not hot). */
export function bearerAuthAsyncHook(verifier: ApiKeyVerifier): onRequestAsyncHookHandler {
  return async function requireProxyKey(request) {
    const error = rejection(verifier, request);
    if (error !== undefined) throw error;
  };
}
