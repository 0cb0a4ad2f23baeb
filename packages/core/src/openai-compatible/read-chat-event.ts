import type { ChatStreamEvent } from '../connector.js';
import type { SseEvent } from '../sse/sse-event.js';
import { extractUsage } from '../usage/token-usage.js';

/**
 * What accounting needs from one upstream event: its usage, and whether it is a usage-only frame (an
 * `include_usage` chunk, forwarded only to clients that asked for it). `[DONE]` is not passed here.
 */
export function readChatEvent(event: SseEvent): ChatStreamEvent {
  // A cheap substring test spares JSON.parse for the many content chunks that carry no usage.
  if (!event.data.includes('"usage"')) return { ...event, done: false };
  let chunk: unknown;
  try {
    chunk = JSON.parse(event.data);
  } catch {
    return { ...event, done: false };
  }
  const record = (typeof chunk === 'object' && chunk !== null ? chunk : {}) as Record<string, unknown>;
  const usage = extractUsage(record.usage);
  const choices = record.choices;
  const usageOnly = usage !== undefined && (!Array.isArray(choices) || choices.length === 0);
  return { ...event, done: false, usage, usageOnly };
}
