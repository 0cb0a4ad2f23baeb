import { extractUsage, type TokenUsage } from '../usage/token-usage.js';

/** The usage one event's data reports, and whether it is a usage-only frame. */
export interface UsageReading {
  usage: TokenUsage;
  /** An `include_usage` chunk (usage and no choices): forwarded only to clients that asked for it. */
  usageOnly: boolean;
}

/**
 * What accounting needs from one upstream event's data; undefined when it reports no usage (nearly every event,
 * found by a substring test that spares them JSON.parse). `[DONE]` is not passed here.
 */
export function readUsage(data: string): UsageReading | undefined {
  if (!data.includes('"usage"')) return undefined;
  let chunk: unknown;
  try {
    chunk = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (typeof chunk !== 'object' || chunk === null) return undefined;
  const record = chunk as Record<string, unknown>;
  const usage = extractUsage(record.usage);
  if (usage === undefined) return undefined;
  const choices = record.choices;
  return { usage, usageOnly: !Array.isArray(choices) || choices.length === 0 };
}
