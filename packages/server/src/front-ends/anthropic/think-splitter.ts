const OPEN = '<think>';
const CLOSE = '</think>';

/** Receives the pieces of a content stream: reasoning between `<think>` tags, answer text outside them. */
export interface SplitSink {
  thinking(text: string): void;
  text(text: string): void;
}

/**
 * Splits `<think>…</think>` out of streamed content (models that put their reasoning in `content` rather than
 * `reasoning_content`). A tag may arrive cut across deltas, so a tail that could still become a tag is held back
 * until the next delta tells; everything else is passed on at once, so text is never delayed by more than seven
 * characters. Content without `<` takes the fast path: no search, no copy.
 */
export class ThinkSplitter {
  #inside = false;
  #held = '';
  /** After `</think>` the answer usually starts with blank lines that only separated it from the reasoning. */
  #trimNext = false;

  push(content: string, sink: SplitSink): void {
    let rest = this.#held.length > 0 ? this.#held + content : content;
    this.#held = '';
    for (;;) {
      if (!this.#inside && !this.#trimNext && !rest.includes('<')) {
        if (rest.length > 0) sink.text(rest);
        return;
      }
      const tag = this.#inside ? CLOSE : OPEN;
      const at = rest.indexOf(tag);
      if (at < 0) {
        const keep = partialTagAt(rest, tag);
        this.#emit(rest.slice(0, rest.length - keep), sink);
        this.#held = keep > 0 ? rest.slice(rest.length - keep) : '';
        return;
      }
      this.#emit(rest.slice(0, at), sink);
      rest = rest.slice(at + tag.length);
      this.#inside = !this.#inside;
      this.#trimNext = !this.#inside;
    }
  }

  /** The content ended: a held tail was not a tag after all. */
  flush(sink: SplitSink): void {
    const held = this.#held;
    this.#held = '';
    this.#emit(held, sink);
  }

  #emit(piece: string, sink: SplitSink): void {
    if (this.#inside) {
      if (piece.length > 0) sink.thinking(piece);
      return;
    }
    if (this.#trimNext) {
      piece = piece.replace(/^\s+/, '');
      if (piece.length === 0) return;
      this.#trimNext = false;
    }
    if (piece.length > 0) sink.text(piece);
  }
}

/** How many characters at the end of `text` are the start of `tag` (0 when none). */
function partialTagAt(text: string, tag: string): number {
  const longest = Math.min(tag.length - 1, text.length);
  for (let length = longest; length > 0; length--) {
    if (text.endsWith(tag.slice(0, length))) return length;
  }
  return 0;
}
