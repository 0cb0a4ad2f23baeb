/** Token counts normalised for accounting: always all three numbers. */
export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

/** Reads an OpenAI-style `usage` object; undefined when there is none or it carries no counts. */
export function extractUsage(usage: unknown): TokenUsage | undefined {
  if (typeof usage !== 'object' || usage === null) return undefined;
  const record = usage as Record<string, unknown>;
  const prompt = count(record.prompt_tokens);
  const completion = count(record.completion_tokens);
  const total = count(record.total_tokens);
  if (prompt === undefined && completion === undefined && total === undefined) return undefined;
  const promptTokens = prompt ?? 0;
  const completionTokens = completion ?? Math.max(0, (total ?? 0) - promptTokens);
  return { promptTokens, completionTokens, totalTokens: total ?? promptTokens + completionTokens };
}

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}
