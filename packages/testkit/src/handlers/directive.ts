import type { Scenario } from './scenario.js';

/**
 * The per-request trigger: `<mock-nim>{…Scenario as JSON…}</mock-nim>` anywhere in the text of any message.
 * It travels in the body, so it survives a proxy that forwards only the body; the mock strips it before it
 * derives its reply.
 */
const DIRECTIVE = /<mock-nim>([\s\S]*?)<\/mock-nim>/g;

/** Builds the directive text to put in a message: `content: mockDirective({ fault: { type: 'reset' } }) + 'hi'`. */
export function mockDirective(scenario: Scenario): string {
  return `<mock-nim>${JSON.stringify(scenario)}</mock-nim>`;
}

export class InvalidDirectiveError extends Error {
  override readonly name = 'InvalidDirectiveError';
}

/** The text of one message's `content`: a string, or the concatenated `text` parts. */
export function messageText(message: unknown): string {
  if (typeof message !== 'object' || message === null) return '';
  const content = (message as { content?: unknown }).content;
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part: unknown) =>
      typeof part === 'object' && part !== null && typeof (part as { text?: unknown }).text === 'string'
        ? (part as { text: string }).text
        : '',
    )
    .join('');
}

export function stripDirectives(text: string): string {
  return text.replace(DIRECTIVE, '').trim();
}

/** Merged scenario from every directive in `messages` (later directives win), or `undefined` if none. */
export function readDirectives(messages: unknown): Scenario | undefined {
  if (!Array.isArray(messages)) return undefined;
  let found: Scenario | undefined;
  for (const message of messages) {
    for (const match of messageText(message).matchAll(DIRECTIVE)) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(match[1] ?? '');
      } catch {
        throw new InvalidDirectiveError(`mock-nim: the directive ${match[0]} is not valid JSON`);
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        throw new InvalidDirectiveError(`mock-nim: the directive ${match[0]} is not a JSON object`);
      }
      found = { ...found, ...(parsed as Scenario) };
    }
  }
  return found;
}
