import { describe, expect, it } from 'vitest';
import { splitThink, ThinkSplitter, type SplitText } from './think-splitter.js';

/** Feeds `content` in the given pieces and joins what comes out, the flush included. */
function feed(pieces: readonly string[]): SplitText {
  const splitter = new ThinkSplitter();
  const out = { reasoning: '', text: '' };
  for (const piece of [...pieces.map((p) => splitter.push(p)), splitter.flush()]) {
    out.reasoning += piece.reasoning;
    out.text += piece.text;
  }
  return out;
}

/** Every way of cutting `text` into two and into three pieces (at UTF-16 units: the splitter sees decoded text). */
function cuts(text: string): string[][] {
  const out: string[][] = [[text]];
  for (let a = 1; a < text.length; a++) {
    out.push([text.slice(0, a), text.slice(a)]);
    for (let b = a + 1; b < text.length; b++) out.push([text.slice(0, a), text.slice(a, b), text.slice(b)]);
  }
  return out;
}

describe('ThinkSplitter', () => {
  it('reads reasoning from content that opens with <think>, whatever the cuts, and drops the blank lines after it', () => {
    const content = '\n <think>\nplan: 2 + 2 < 5</think>\n\nThe answer is 4.';
    for (const pieces of cuts(content)) {
      expect(feed(pieces)).toEqual({ reasoning: '\nplan: 2 + 2 < 5', text: 'The answer is 4.' });
    }
  });

  it('leaves content that does not open with the tag as text, tags and all', () => {
    for (const content of ['Use <think> tags.', 'a<think>b</think>c', '<thin', '<b>bold</b>']) {
      for (const pieces of cuts(content)) expect(feed(pieces)).toEqual({ reasoning: '', text: content });
    }
  });

  it('keeps an unclosed reasoning as reasoning, a cut-off closing tag included', () => {
    expect(feed(['<think>still thinking</th'])).toEqual({ reasoning: 'still thinking</th', text: '' });
  });

  it('gives whitespace alone (all some models write before their tool calls) as no text', () => {
    expect(feed(['\n', '\n  '])).toEqual({ reasoning: '', text: '' });
  });

  it('passes the answer on untouched once it has begun', () => {
    const splitter = new ThinkSplitter();
    expect(splitter.push('Hello')).toEqual({ reasoning: '', text: 'Hello' });
    expect(splitter.push(' <think>')).toEqual({ reasoning: '', text: ' <think>' });
  });

  it('splits a whole content at once the same way (splitThink)', () => {
    expect(splitThink('<think>why</think>\n\nBecause.')).toEqual({ reasoning: 'why', text: 'Because.' });
    expect(splitThink('Because.')).toEqual({ reasoning: '', text: 'Because.' });
  });
});
