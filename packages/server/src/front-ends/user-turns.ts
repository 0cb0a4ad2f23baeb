/** A part of a user message as chat completions take it: text or an image. */
export type ChatUserPart = { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string; detail?: string } };

/**
 * Adds a user turn to a translated conversation, joined to the user message before it when there is one: some chat
 * templates (Mistral's, Llama 2's) raise unless user and assistant turns alternate, and both Claude Code and Codex
 * send several user entries in a row (context, then the prompt). Text-only content stays a plain string, which
 * every template takes; texts are joined by a blank line.
 */
export function pushUserTurn(messages: { role: string; content?: unknown }[], parts: readonly ChatUserPart[]): void {
  if (parts.length === 0) return;
  const last = messages.at(-1);
  if (last?.role === 'user') {
    const earlier = last.content as string | ChatUserPart[];
    last.content = simplify([...(typeof earlier === 'string' ? [{ type: 'text' as const, text: earlier }] : earlier), ...parts]);
    return;
  }
  messages.push({ role: 'user', content: simplify(parts) });
}

function simplify(parts: readonly ChatUserPart[]): string | ChatUserPart[] {
  if (parts.every((part) => part.type === 'text')) return parts.map((part) => (part as { text: string }).text).join('\n\n');
  return [...parts];
}
