import type { IncomingHttpHeaders } from 'node:http';
import { bearerToken } from '../../auth/bearer-auth.js';

/**
 * The proxy key as Anthropic's clients send it: `x-api-key` (the SDKs' default, and Claude Code's with
 * `ANTHROPIC_API_KEY`) or `Authorization: Bearer` (Claude Code with `ANTHROPIC_AUTH_TOKEN`). Both, when both came:
 * Claude Code sends both headers when both variables are set, which is common in a shell that exports an
 * Anthropic key for Anthropic itself beside the proxy's key as the gateway token; either may be the proxy's.
 */
export function readAnthropicApiKey(headers: IncomingHttpHeaders): string | readonly string[] | undefined {
  const header = headers['x-api-key'];
  const key = typeof header === 'string' && header.trim().length > 0 ? header.trim() : undefined;
  const bearer = bearerToken(headers.authorization);
  if (key === undefined || bearer === undefined || bearer === key) return key ?? bearer;
  return [key, bearer];
}

export const ANTHROPIC_API_KEY_HINT = "send it as 'x-api-key: <key>' or 'Authorization: Bearer <key>'";
