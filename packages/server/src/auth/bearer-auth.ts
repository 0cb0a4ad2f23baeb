import type { onRequestAsyncHookHandler } from 'fastify';
import type { IncomingHttpHeaders } from 'node:http';
import type { ApiKeyVerifier } from './api-key-verifier.js';
import { keyRejection, type KeyReader } from './require-proxy-key.js';

// No g/y flag, so exec keeps no state and one instance can be shared.
const BEARER = /^\s*bearer\s+(\S+)\s*$/i;

/** The key a client presented as `Authorization: Bearer <key>`, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  return BEARER.exec(header)?.[1];
}

/** OpenAI's way: `Authorization: Bearer <key>`. */
export const BEARER_KEY: KeyReader = {
  readApiKey: (headers: IncomingHttpHeaders) => bearerToken(headers.authorization),
  apiKeyHint: "send it as 'Authorization: Bearer <key>'",
};

/** The same check as an async hook, for plugins whose options take one (`/metrics`, which is not hot). */
export function bearerAuthAsyncHook(verifier: ApiKeyVerifier): onRequestAsyncHookHandler {
  return async function requireBearerKey(request) {
    const error = keyRejection(verifier, BEARER_KEY, request);
    if (error !== undefined) throw error;
  };
}
