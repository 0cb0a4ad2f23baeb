import { ProxyError } from '@proxy/core';
import type { FastifyRequest, onRequestHookHandler } from 'fastify';
import type { IncomingHttpHeaders } from 'node:http';
import { outcomeOf } from '../accounting/request-outcome.js';
import type { ApiKeyVerifier, VerifiedKey } from './api-key-verifier.js';

/** Where a client API carries the proxy key, and how to tell a client that sent none. */
export interface KeyReader {
  /**
   * The key the client presented, or the keys when its API has two places for one and both were filled (the
   * request passes when one of them is a proxy key), or undefined when it sent none.
   */
  readApiKey(headers: IncomingHttpHeaders): string | readonly string[] | undefined;
  /** e.g. "send it as 'Authorization: Bearer <key>'". */
  readonly apiKeyHint: string;
}

/** A route several client APIs call (`/v1/models`): which API's way of carrying the key this request follows. */
export type KeyReaderFor = (headers: IncomingHttpHeaders) => KeyReader;

const CHALLENGE = { 'www-authenticate': 'Bearer' };

/**
 * Why the request may not pass, or undefined when it carries one of the proxy's keys; then the key's name (never
 * the key) goes on the request's outcome, for its log line and token metrics.
 */
export function keyRejection(verifier: ApiKeyVerifier, reader: KeyReader, request: FastifyRequest): ProxyError | undefined {
  const presented = reader.readApiKey(request.headers);
  if (presented === undefined) {
    return new ProxyError({ status: 401, code: 'missing_api_key', headers: CHALLENGE, message: `Missing proxy API key: ${reader.apiKeyHint}` });
  }
  let verified: VerifiedKey | undefined;
  for (const key of typeof presented === 'string' ? [presented] : presented) {
    verified = verifier.verify(key);
    if (verified !== undefined) break;
  }
  if (verified === undefined) {
    return new ProxyError({ status: 401, code: 'invalid_api_key', headers: CHALLENGE, message: 'Invalid proxy API key' });
  }
  if (verified.name !== undefined) outcomeOf(request).keyName = verified.name;
  return undefined;
}

/**
 * An onRequest hook answering 401 unless the request carries one of the proxy's keys where its client API puts
 * it; the scope's error handler renders the 401 in that API's shape. Callback style: Fastify then runs the next
 * step synchronously, where an async hook costs a promise on every request.
 */
export function requireProxyKey(verifier: ApiKeyVerifier, reader: KeyReader | KeyReaderFor): onRequestHookHandler {
  if (typeof reader === 'function') {
    return function requireProxyKey(request, _reply, done) {
      done(keyRejection(verifier, reader(request.headers), request));
    };
  }
  return function requireProxyKey(request, _reply, done) {
    done(keyRejection(verifier, reader, request));
  };
}
