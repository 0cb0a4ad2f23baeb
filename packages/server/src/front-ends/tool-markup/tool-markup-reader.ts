import { partialSuffix } from '../partial-suffix.js';
import { parseMinimaxCalls, type MarkupCall, type ParameterSchemas } from './parse-minimax-calls.js';

/** The tag that opens a block of MiniMax tool calls. */
export const MARKUP_TAG = '<minimax:tool_call>';
const OPEN = MARKUP_TAG;
const CLOSE = '</minimax:tool_call>';

/** What one piece of streamed text holds: the text to pass on, and the calls whose markup it completed. */
export interface MarkupPiece {
  text: string;
  calls: MarkupCall[];
  /** The text ended inside a call (only at `flush`): that call was left out. */
  cut: boolean;
}

const PLAIN: MarkupPiece = Object.freeze({ text: '', calls: [], cut: false }) as MarkupPiece;

/**
 * Takes MiniMax's tool-call markup out of one streamed text (a model's `content`, or its reasoning). MiniMax
 * models on NIM builds without MiniMax's tool parser write their calls as text — `<minimax:tool_call><invoke
 * name="…">…</invoke></minimax:tool_call>` — where a client expects `tool_calls`; a coding agent would print the
 * markup and run nothing. Text outside a block passes through as it streams; a block is held until it closes and
 * then read as whole calls. A tag may arrive cut across deltas, so what could still become one is held until the
 * next piece decides (at most 18 characters).
 */
export class ToolMarkupReader {
  readonly #schemas: ParameterSchemas;
  /** Outside a block: what could still become the opening tag. */
  #held = '';
  #inBlock = false;
  /** Inside a block: its pieces so far, joined once when the closing tag comes (a call's text can be long). */
  #block: string[] = [];
  /** The block's last characters, where a closing tag cut across pieces begins. */
  #tail = '';

  constructor(schemas: ParameterSchemas) {
    this.#schemas = schemas;
  }

  push(piece: string): MarkupPiece {
    if (!this.#inBlock && this.#held === '' && piece.indexOf('<') < 0) return { text: piece, calls: [], cut: false };
    let text = '';
    const calls: MarkupCall[] = [];
    let rest = piece;
    for (;;) {
      if (!this.#inBlock) {
        const buffer = this.#held + rest;
        this.#held = '';
        const open = buffer.indexOf(OPEN);
        if (open < 0) {
          const keep = partialSuffix(buffer, OPEN);
          this.#held = buffer.slice(buffer.length - keep);
          return { text: text + buffer.slice(0, buffer.length - keep), calls, cut: false };
        }
        text += buffer.slice(0, open);
        this.#inBlock = true;
        rest = buffer.slice(open + OPEN.length);
      }
      const closed = this.#close(rest);
      if (closed === undefined) return { text, calls, cut: false };
      calls.push(...parseMinimaxCalls(closed.block, this.#schemas).calls);
      this.#inBlock = false;
      rest = closed.rest;
    }
  }

  /**
   * What is held, once the text is over: a block the model never closed still gives the calls it finished (an
   * invoke cut off mid-way is left out and reported as `cut`); a partial tag that never completed is text.
   */
  flush(): MarkupPiece {
    if (!this.#inBlock) {
      const held = this.#held;
      this.#held = '';
      return held === '' ? PLAIN : { text: held, calls: [], cut: false };
    }
    const block = this.#block.join('');
    this.#inBlock = false;
    this.#block = [];
    this.#tail = '';
    const { calls, cut } = parseMinimaxCalls(block, this.#schemas);
    return { text: '', calls, cut };
  }

  /** Adds a piece to the open block: the block and what follows its closing tag once that came, else undefined. */
  #close(piece: string): { block: string; rest: string } | undefined {
    const window = this.#tail + piece;
    // The first `</minimax:tool_call>` ends the block, even one a value quotes: only all later text could tell.
    const at = window.indexOf(CLOSE);
    if (at < 0) {
      this.#block.push(piece);
      this.#tail = window.slice(Math.max(0, window.length - (CLOSE.length - 1)));
      return undefined;
    }
    const before = this.#block.join('');
    const closeAt = before.length - this.#tail.length + at;
    const whole = before + piece;
    this.#block = [];
    this.#tail = '';
    return { block: whole.slice(0, closeAt), rest: whole.slice(closeAt + CLOSE.length) };
  }
}

/** Takes the markup out of a whole text at once (a non-streamed answer). */
export function readToolMarkup(text: string, schemas: ParameterSchemas): MarkupPiece {
  const reader = new ToolMarkupReader(schemas);
  const first = reader.push(text);
  const last = reader.flush();
  return { text: first.text + last.text, calls: [...first.calls, ...last.calls], cut: last.cut };
}
