/**
 * The reasoning a chat message or stream delta carries. DeepSeek's `reasoning_content` is what NIM builds have
 * sent; vLLM renamed it `reasoning` (and dropped the old name in early 2026), and builds in between send both with
 * the same text. Either name is read, once: `reasoning_content` when it holds text, else `reasoning`. Only text
 * counts (other APIs use `reasoning` for objects).
 */
export function reasoningOf(message: { reasoning_content?: unknown; reasoning?: unknown }): string {
  if (typeof message.reasoning_content === 'string' && message.reasoning_content) return message.reasoning_content;
  return typeof message.reasoning === 'string' ? message.reasoning : '';
}
