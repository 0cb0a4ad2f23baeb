import { describe, expect, it } from 'vitest';
import { NeedleSet } from './needle-set.js';

const NEEDLES = ['nvapi-bench-', 'sk-bench-proxy-key', 'bnZhcGktYmVuY2gtdXBz', 'YXBpLWJlbmNo', 'ab'];

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x7fffffff;
  };
}

describe('NeedleSet', () => {
  it('finds a needle anywhere: at the start, at the end, inside, overlapping another', () => {
    const set = new NeedleSet(['nvapi-bench-', 'bench-proxy'].map((text) => Buffer.from(text)));
    for (const text of ['nvapi-bench-', 'xnvapi-bench-', 'nvapi-bench-x', 'a bench-proxy b', 'nvapi-bench-proxy', 'nvapi-benc nvapi-bench-']) {
      expect(set.foundIn(Buffer.from(text)), text).toBe(true);
      expect(set.foundInText(text), text).toBe(true);
    }
    for (const text of ['', 'n', 'nvapi-bench', 'vapi-bench-', 'bench-prox', 'chatcmpl-bench-proxx'.replace('proxx', 'pr0xy')]) {
      expect(set.foundIn(Buffer.from(text)), text).toBe(false);
      expect(set.foundInText(text), text).toBe(false);
    }
  });

  it('agrees with indexOf on random text made of the needles’ own characters', () => {
    const next = random(7);
    const alphabet = [...new Set(NEEDLES.join(''))].join('');
    const sets = [NEEDLES, NEEDLES.slice(0, 4), ['ab', 'ba']].map((list) => ({ list, set: new NeedleSet(list.map((text) => Buffer.from(text))) }));
    for (let round = 0; round < 3000; round++) {
      let text = '';
      const length = Math.floor(next() * 80);
      for (let i = 0; i < length; i++) text += alphabet[Math.floor(next() * alphabet.length)];
      // Now and then a needle cut in or a non-ASCII character whose low byte is a needle's.
      if (next() < 0.3) text = text.slice(0, 10) + NEEDLES[Math.floor(next() * NEEDLES.length)] + text.slice(10);
      if (next() < 0.2) text = `${text.slice(0, 5)}\u016e${text.slice(5)}`;
      for (const { list, set } of sets) {
        const expected = list.some((needle) => text.includes(needle));
        expect(set.foundInText(text), text).toBe(expected);
        expect(set.foundIn(Buffer.from(text, 'latin1')), text).toBe(list.some((needle) => Buffer.from(text, 'latin1').includes(needle)));
      }
    }
  });

  it('refuses needles it cannot search for', () => {
    expect(() => new NeedleSet([Buffer.from('a')])).toThrow(RangeError);
  });
});
