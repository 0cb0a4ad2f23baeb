import { describe, expect, it } from 'vitest';
import { SaidOnce } from './said-once.js';

describe('SaidOnce', () => {
  it('gives each kind once, repeats within one call included', () => {
    const said = new SaidOnce();
    expect(said.fresh(['web_search', 'bash', 'web_search'])).toEqual(['web_search', 'bash']);
    expect(said.fresh(['bash', 'computer'])).toEqual(['computer']);
    expect(said.fresh(['web_search'])).toEqual([]);
  });

  it('stops remembering at its bound: made-up names cannot grow it', () => {
    const said = new SaidOnce(2);
    expect(said.fresh(['a', 'b', 'c'])).toEqual(['a', 'b']);
    expect(said.fresh(['d'])).toEqual([]);
  });
});
