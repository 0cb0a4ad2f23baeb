import type { ExpectedToolCall } from './completion-content.js';

/**
 * Tool calls as a MiniMax model writes them when no tool parser reads them for it: one `<minimax:tool_call>` block,
 * an `<invoke>` per call, a `<parameter>` per argument (text as it is, other values as JSON). A call whose
 * arguments the token limit cut is written as far as it got, its tags left open, as a model stops mid-call.
 */
export function minimaxMarkup(calls: readonly ExpectedToolCall[]): string {
  let markup = '<minimax:tool_call>\n';
  for (const call of calls) {
    markup += `<invoke name="${call.name}">\n`;
    let args: unknown;
    try {
      args = JSON.parse(call.arguments);
    } catch {
      return `${markup}${call.arguments}`;
    }
    for (const [key, value] of Object.entries(args as Record<string, unknown>)) {
      markup += `<parameter name="${key}">${typeof value === 'string' ? value : JSON.stringify(value)}</parameter>\n`;
    }
    markup += '</invoke>\n';
  }
  return `${markup}</minimax:tool_call>`;
}
