import type { ResponsesRequest } from './request-schema.js';
import type { OutputItem } from './response-object.js';

// NIM's reasoning is no secret the proxy must keep from the client (it is in the summary already), and the proxy
// stores nothing, so the "encrypted" reasoning it hands out is the reasoning itself, under a prefix that tells it
// from another provider's sealed blob (which stays unreadable and is never used).
const PREFIX = 'nim-proxy.reasoning.v1.';

/**
 * Whether the client asked for reasoning it can send back without stored responses. OpenAI returns
 * `encrypted_content` only then; the AI SDK's @ai-sdk/openai with `store: false` asks, and sends back only
 * reasoning items that carry it.
 */
export function carriesReasoning(body: ResponsesRequest): boolean {
  const include = (body as { include?: unknown }).include;
  return Array.isArray(include) && include.includes('reasoning.encrypted_content');
}

export function carryReasoning(text: string): string {
  return PREFIX + Buffer.from(text, 'utf8').toString('base64url');
}

/** The reasoning the proxy carried in `encrypted_content`; undefined for anything else. */
export function carriedReasoning(encrypted: string | null | undefined): string | undefined {
  if (!encrypted?.startsWith(PREFIX)) return undefined;
  return Buffer.from(encrypted.slice(PREFIX.length), 'base64url').toString('utf8');
}

/** The `reasoning` output item of `text`, JSON answer and stream alike; `carry` (see carriesReasoning) adds it as `encrypted_content`. */
export function reasoningItem(id: string, text: string, carry: boolean): OutputItem {
  const item: OutputItem = { id, type: 'reasoning', summary: [{ type: 'summary_text', text }] };
  return carry ? { ...item, encrypted_content: carryReasoning(text) } : item;
}
