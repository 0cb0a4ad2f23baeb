import type { IncomingHttpHeaders } from 'node:http';
import { bearerToken } from '../../auth/bearer-auth.js';

/**
 * The proxy key as Anthropic's clients send it: `x-api-key` (the SDKs' default, and Claude Code's with
 * `ANTHROPIC_API_KEY`) or `Authorization: Bearer` (Claude Code with `ANTHROPIC_AUTH_TOKEN`).
 */
export function readAnthropicApiKey(headers: IncomingHttpHeaders): string | undefined {
  const key = headers['x-api-key'];
  if (typeof key === 'string' && key.trim().length > 0) return key.trim();
  return bearerToken(headers.authorization);
}

export const ANTHROPIC_API_KEY_HINT = "send it as 'x-api-key: <key>' or 'Authorization: Bearer <key>'";
