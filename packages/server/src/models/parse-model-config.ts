// Environment variables and flags arrive as text: these read the two model tables from it. Text that cannot be
// read is passed on unchanged, so validation rejects it naming the key and what it expected.

/**
 * `model_aliases` from text: a JSON object, or `pattern=target` pairs separated by commas
 * (`claude-*haiku*=nvidia:meta/llama-3.1-8b-instruct,claude-*=nvidia:qwen/qwen3-coder-480b-a35b-instruct`).
 */
export function toAliasTable(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) return toJson(text);
  const table: Record<string, string> = {};
  for (const pair of trimmed.split(',')) {
    if (pair.trim() === '') continue;
    const equals = pair.indexOf('=');
    if (equals <= 0) return text;
    table[pair.slice(0, equals).trim()] = pair.slice(equals + 1).trim();
  }
  return table;
}

/** `model_settings` from text: a JSON object. */
export function toJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
