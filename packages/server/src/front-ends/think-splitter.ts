import { partialSuffix } from './partial-suffix.js';

const OPEN = '<think>';
const CLOSE = '</think>';

/** A piece of content as reasoning and answer text; either may be ''. */
export interface SplitText {
  reasoning: string;
  text: string;
}

const NOTHING: SplitText = Object.freeze({ reasoning: '', text: '' }) as SplitText;

/**
 * Separates `<think>…</think>` reasoning from answer text in a model's streamed content, for every front end that
 * has a place for reasoning (Anthropic's `thinking` blocks, Responses' `reasoning` items). Some NIM models put their
 * reasoning in `content` this way instead of `reasoning_content`. Only content that opens with `<think>` (after
 * whitespace) is read so: an answer that mentions the tag ("wrap it in <think> tags") stays text, in every dialect
 * alike. A tag may arrive cut across deltas, so what could still become one is held until the next delta decides
 * (at most seven characters); once the answer text has begun, content passes through untouched.
 */
export class ThinkSplitter {
  #state: 'start' | 'thinking' | 'after' | 'text' = 'start';
  #held = '';

  push(chunk: string): SplitText {
    if (this.#state === 'text') return { reasoning: '', text: chunk };
    const buffer = this.#held + chunk;
    this.#held = '';
    if (this.#state === 'start') {
      const trimmed = buffer.trimStart();
      if (trimmed.length === 0 || (trimmed.length < OPEN.length && OPEN.startsWith(trimmed))) {
        this.#held = buffer;
        return NOTHING;
      }
      if (!trimmed.startsWith(OPEN)) {
        this.#state = 'text';
        return { reasoning: '', text: buffer };
      }
      this.#state = 'thinking';
      return this.#thinking(trimmed.slice(OPEN.length));
    }
    return this.#state === 'thinking' ? this.#thinking(buffer) : this.#after(buffer);
  }

  /**
   * What is held, when the content ends or something else (a tool call) comes between it and what follows:
   * reasoning still open is reasoning; whitespace alone before anything else (often all a model writes before its
   * tool calls) is no answer.
   */
  flush(): SplitText {
    const held = this.#held;
    this.#held = '';
    if (held.length === 0) return NOTHING;
    if (this.#state === 'thinking') return { reasoning: held, text: '' };
    return this.#state === 'start' && held.trim() === '' ? NOTHING : { reasoning: '', text: held };
  }

  #thinking(buffer: string): SplitText {
    const end = buffer.indexOf(CLOSE);
    if (end >= 0) {
      this.#state = 'after';
      return { reasoning: buffer.slice(0, end), text: this.#after(buffer.slice(end + CLOSE.length)).text };
    }
    const keep = partialSuffix(buffer, CLOSE);
    this.#held = buffer.slice(buffer.length - keep);
    return { reasoning: buffer.slice(0, buffer.length - keep), text: '' };
  }

  /** The whitespace between `</think>` and the answer is the template's, not the answer's. */
  #after(buffer: string): SplitText {
    const text = buffer.trimStart();
    if (text.length > 0) this.#state = 'text';
    return { reasoning: '', text };
  }
}

/** The same split of a whole content at once (a non-streamed answer). */
export function splitThink(content: string): SplitText {
  const splitter = new ThinkSplitter();
  const first = splitter.push(content);
  const last = splitter.flush();
  return { reasoning: first.reasoning + last.reasoning, text: first.text + last.text };
}
