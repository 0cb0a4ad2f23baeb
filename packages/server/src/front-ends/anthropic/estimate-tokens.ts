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

/**
 * The longest run of non-blanks (or of blanks) tokenized whole. The BPE's cost grows with the square of a
 * pre-tokenizer piece's length, and a run of one character class is one piece: 100 KB of one letter took it 7 s, a
 * body_limit's worth hours, the event loop blocked. A longer run is counted in slices of this length, which costs
 * at most a token per slice of accuracy, and only in such runs (base64, minified code).
 */
const LONGEST_RUN = 256;
const LONG_RUN = new RegExp(`\\S{${LONGEST_RUN + 1},}|\\s{${LONGEST_RUN + 1},}`, 'g');

/** Tokens of one text. */
export function countTextTokens(text: string): number {
  if (text.length === 0) return 0;
  const count = tokenizer().countTokens;
  LONG_RUN.lastIndex = 0;
  if (text.length <= LONGEST_RUN || !LONG_RUN.test(text)) return count(text);
  let tokens = 0;
  let from = 0;
  LONG_RUN.lastIndex = 0;
  for (const run of text.matchAll(LONG_RUN)) {
    if (run.index > from) tokens += count(text.slice(from, run.index));
    from = run.index + run[0].length;
    for (let at = run.index; at < from; at += LONGEST_RUN) tokens += count(text.slice(at, Math.min(at + LONGEST_RUN, from)));
  }
  if (from < text.length) tokens += count(text.slice(from));
  return tokens;
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
