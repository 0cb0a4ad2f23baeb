/**
 * What to append to a tool call's argument text so that it parses, or undefined when it parses already or cannot
 * be saved. Some GLM builds stream argument JSON cut short; its first part has gone to the client already, so the
 * repair can only add: close the open string, supply a missing value, close the open arrays and objects. The
 * client (Claude Code's `tool_use`, Codex's `function_call`) then gets arguments it can run or refuse, instead of
 * JSON that never completes.
 */
export function jsonCompletion(text: string): string | undefined {
  if (parses(text)) return undefined;
  if (text.trim().length === 0) return '{}';
  const stack: string[] = [];
  let inString = false;
  let escaped = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (char === '\\') escaped = true;
      else if (char === '"') inString = false;
      continue;
    }
    if (char === '"') inString = true;
    else if (char === '{') stack.push('}');
    else if (char === '[') stack.push(']');
    else if (char === '}' || char === ']') stack.pop();
  }
  const closers = stack.reverse().join('');
  const endString = inString ? `${escaped ? '\\' : ''}"` : '';
  // The cut may fall after a key, a colon or a comma: each candidate supplies what that place lacks.
  for (const middle of ['', 'null', ':null', '"":null']) {
    const suffix = endString + middle + closers;
    if (parses(text + suffix)) return suffix;
  }
  return undefined;
}

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
