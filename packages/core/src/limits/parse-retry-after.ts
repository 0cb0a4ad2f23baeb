/**
 * An upstream's `Retry-After` in milliseconds: delta-seconds or an HTTP date (one in the past is 0); undefined when
 * absent or unreadable, so the caller applies its own default.
 */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
