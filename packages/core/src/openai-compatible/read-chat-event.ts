import { extractUsage, type TokenUsage } from '../usage/token-usage.js';

/** The usage one event's data reports, and whether it is a usage-only frame. */
export interface UsageReading {
  usage: TokenUsage;
  /** An `include_usage` chunk (usage and no choices): forwarded only to clients that asked for it. */
  usageOnly: boolean;
  /**
   * The event's data with `choices: []`, for a usage-only frame that has no `choices` list at all (seen from NIM):
   * OpenAI's usage chunk has an empty list, which the openai SDK's stream helper iterates and the Vercel AI SDK's
   * chunk schema requires. Made only for such a frame (one per stream), from the parse already done here.
   */
  withChoices?: string;
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
  if (!Array.isArray(choices)) return { usage, usageOnly: true, withChoices: JSON.stringify({ ...record, choices: [] }) };
  return { usage, usageOnly: choices.length === 0 };
}
