import { jsonResponse, problemDetails } from './problem-details.js';

/** The key the mock accepts unless told otherwise. */
export const DEFAULT_API_KEY = 'nvapi-mock-key';

export interface AuthOptions {
  /** Accepted key(s); `false` accepts any request, with or without a key. */
  apiKey: string | readonly string[] | false;
  /** 401 with `WWW-Authenticate` (default) or NIM's 403 "Authorization failed". */
  failureStatus: 401 | 403;
}

/** Returns the rejection to send, or `undefined` when the request may pass. */
export function checkAuth(request: Request, options: AuthOptions): Response | undefined {
  if (options.apiKey === false) return undefined;
  const accepted = typeof options.apiKey === 'string' ? [options.apiKey] : options.apiKey;
  const key = presentedKey(request);
  if (key !== undefined && accepted.includes(key)) return undefined;
  if (options.failureStatus === 403) {
    return jsonResponse(problemDetails(403, 'Authorization failed'), 403);
  }
  return unauthorized('Invalid or missing API key');
}

/** The bearer key a request carries, if any. */
export function presentedKey(request: Request): string | undefined {
  return /^Bearer\s+(.+)$/i.exec(request.headers.get('authorization') ?? '')?.[1]?.trim();
}

/** NIM's 401: its answer to a bad key, and to a key whose account does not have the model enabled. */
export function unauthorized(detail: string): Response {
  return jsonResponse(problemDetails(401, detail), 401, { 'www-authenticate': 'Bearer error="invalid_token"' });
}

/** `Bearer nvapi-secret` → `Bearer nvap…***`: enough to tell keys apart in a failing test, not enough to leak one. */
export function maskAuthorization(value: string): string {
  const match = /^(\S+\s+)?(.*)$/.exec(value);
  const scheme = match?.[1] ?? '';
  const secret = match?.[2] ?? '';
  return `${scheme}${secret.slice(0, 4)}…***`;
}
