import { toList } from './coerce-scalar.js';

const NAMED = /^([A-Za-z0-9_.@-]{1,64}):(.+)$/s;

/**
 * `PROXY_API_KEYS` as text: comma-separated keys, each bare (`sk-1`) or named (`alice:sk-1`, split at the first
 * `:`). Environment variables have no structure, and keys are base64/hex/`sk-…` text without `:` in practice; a
 * bare key that does hold a `:` is written named (`name:key`), which reads it back whole.
 */
export function toProxyKeyList(text: string): (string | { name: string; key: string })[] {
  return toList(text).map((item) => {
    const named = NAMED.exec(item);
    return named ? { name: named[1]!, key: named[2]!.trim() } : item;
  });
}
