import { ProxyError } from '@proxy/core';
import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { ApiKeyVerifier } from './api-key-verifier.js';

const CHALLENGE = { 'www-authenticate': 'Bearer' };

/** The key a client presented as `Authorization: Bearer <key>`, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^\s*bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

/** An onRequest hook answering 401 unless the request carries one of the proxy's keys. */
export function bearerAuthHook(verifier: ApiKeyVerifier): onRequestAsyncHookHandler {
  return async function requireProxyKey(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
    const token = bearerToken(request.headers.authorization);
    if (token === undefined) {
      throw new ProxyError({
        status: 401,
        code: 'missing_api_key',
        headers: CHALLENGE,
        message: "Missing proxy API key: send it as 'Authorization: Bearer <key>'",
      });
    }
    if (!verifier.verify(token)) {
      throw new ProxyError({ status: 401, code: 'invalid_api_key', headers: CHALLENGE, message: 'Invalid proxy API key' });
    }
  };
}
