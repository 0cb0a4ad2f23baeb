import type * as Cl100k from 'gpt-tokenizer/encoding/cl100k_base';
import { loadOnFirstUse } from '../../load-on-first-use.js';
import type { CountTokensRequest } from './messages-schema.js';

// An ESTIMATE, by design: the proxy cannot run each NIM model's own tokenizer (it would need every model's
// vocabulary), so it counts with gpt-tokenizer's cl100k_base, a pure-JS BPE package. Llama 3's vocabulary grew out
// of cl100k, and other modern vocabularies land within a few percent of it on English and code, which is what
// Claude Code needs the number for: watching its context fill up. `count_tokens` and the stream's usage (when NIM
// reports none) use these same functions, so the two never disagree.

const tokenizer = loadOnFirstUse<typeof Cl100k>('gpt-tokenizer/encoding/cl100k_base');

/** Tokens a message's framing costs in chat templates (role markers, separators): OpenAI's documented figure. */
const PER_MESSAGE = 3;
/** An image, whose size the proxy does not decode: Anthropic's figure for a ~1.15 megapixel image. */
const PER_IMAGE = 1_600;

/** Tokens of one text. */
export function countTextTokens(text: string): number {
  return text.length === 0 ? 0 : tokenizer().countTokens(text);
}

/** The prompt's tokens: system text, every message's text, tool calls and results, and the tool definitions. */
export function estimateInputTokens(body: CountTokensRequest): number {
  const { texts, framing } = promptTexts(body);
  // One count over the joined text: the tokenizer's per-call overhead paid once, not per block.
  return countTextTokens(texts.join('\n')) + framing;
}

/**
 * A rough figure for the same prompt — four characters a token — that costs a pass over its texts' lengths, where
 * the tokenizer takes milliseconds on a coding agent's 100 KB prompt (measured: 5–10 ms for 80 KB): what a stream's
 * `message_start` carries before NIM's own count, which `message_delta` then gives (or, when NIM reports none, the
 * tokenizer's estimate, counted at the end).
 */
export function roughInputTokens(body: CountTokensRequest): number {
  const { texts, framing } = promptTexts(body);
  let characters = 0;
  for (const text of texts) characters += text.length;
  return Math.ceil(characters / 4) + framing;
}

/** The prompt's texts and the tokens its framing and images cost. */
function promptTexts(body: CountTokensRequest): { texts: string[]; framing: number } {
  const texts: string[] = [];
  let framing = 0;
  if (typeof body.system === 'string') texts.push(body.system);
  else if (body.system) for (const block of body.system) texts.push(block.text);
  for (const message of body.messages) {
    framing += PER_MESSAGE;
    if (typeof message.content === 'string') {
      texts.push(message.content);
      continue;
    }
    for (const block of message.content) {
      switch (block.type) {
        case 'text':
          texts.push(block.text);
          break;
        case 'thinking':
          texts.push(block.thinking);
          break;
        case 'tool_use':
          texts.push(block.name, JSON.stringify(block.input ?? {}));
          break;
        case 'tool_result':
          if (typeof block.content === 'string') texts.push(block.content);
          else for (const part of block.content ?? []) {
            if (part.type === 'text') texts.push(part.text);
            else if (part.type === 'image') framing += PER_IMAGE;
          }
          break;
        case 'image':
          framing += PER_IMAGE;
          break;
        case 'document':
          if (typeof block.source.data === 'string' && block.source.type === 'text') texts.push(block.source.data);
          break;
        default:
          break;
      }
    }
  }
  for (const tool of body.tools ?? []) {
    texts.push(tool.name, tool.description ?? '', tool.input_schema ? JSON.stringify(tool.input_schema) : '');
  }
  return { texts, framing };
}
