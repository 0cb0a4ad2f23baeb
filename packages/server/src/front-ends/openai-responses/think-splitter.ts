const OPEN = '<think>';
const CLOSE = '</think>';

/** A piece of content as reasoning and answer text; either may be ''. */
export interface SplitText {
  reasoning: string;
  text: string;
}

/**
 * Separates `<think>…</think>` reasoning from answer text in a model's content, across chunk boundaries (a tag may
 * arrive in pieces: the bytes that might start one are held until the next chunk decides). Some NIM models put
 * their reasoning in `content` this way instead of `reasoning_content`; only content that opens with `<think>`
 * (after whitespace) is read so, so an answer that merely mentions the tag stays text.
 */
export class ThinkSplitter {
  private state: 'start' | 'thinking' | 'after' | 'text' = 'start';
  private held = '';

  push(chunk: string): SplitText {
    if (this.state === 'text') return { reasoning: '', text: chunk };
    const buffer = this.held + chunk;
    this.held = '';
    if (this.state === 'start') {
      const trimmed = buffer.trimStart();
      if (trimmed.length === 0 || (trimmed.length < OPEN.length && OPEN.startsWith(trimmed))) {
        this.held = buffer;
        return { reasoning: '', text: '' };
      }
      if (!trimmed.startsWith(OPEN)) {
        this.state = 'text';
        return { reasoning: '', text: buffer };
      }
      this.state = 'thinking';
      return this.thinking(trimmed.slice(OPEN.length));
    }
    if (this.state === 'thinking') return this.thinking(buffer);
    return this.after(buffer);
  }

  /** What is still held at the end of the content. */
  flush(): SplitText {
    const held = this.held;
    this.held = '';
    if (this.state === 'thinking') return { reasoning: held, text: '' };
    // Whitespace alone before anything else (often all a model writes before its tool calls) is no answer.
    return { reasoning: '', text: this.state === 'start' && held.trim() === '' ? '' : held };
  }

  private thinking(buffer: string): SplitText {
    const end = buffer.indexOf(CLOSE);
    if (end >= 0) {
      this.state = 'after';
      const rest = this.after(buffer.slice(end + CLOSE.length));
      return { reasoning: buffer.slice(0, end), text: rest.text };
    }
    const keep = partialSuffix(buffer, CLOSE);
    this.held = buffer.slice(buffer.length - keep);
    return { reasoning: buffer.slice(0, buffer.length - keep), text: '' };
  }

  /** The whitespace between `</think>` and the answer is the template's, not the answer's. */
  private after(buffer: string): SplitText {
    const text = buffer.trimStart();
    if (text.length > 0) this.state = 'text';
    return { reasoning: '', text };
  }
}

/** The length of the longest end of `text` that is a beginning of `tag`. */
function partialSuffix(text: string, tag: string): number {
  for (let length = Math.min(tag.length - 1, text.length); length > 0; length -= 1) {
    if (text.endsWith(tag.slice(0, length))) return length;
  }
  return 0;
}

/** The same split of a whole content at once (a non-streamed answer). */
export function splitThink(content: string): SplitText {
  const splitter = new ThinkSplitter();
  const first = splitter.push(content);
  const last = splitter.flush();
  return { reasoning: first.reasoning + last.reasoning, text: first.text + last.text };
}
