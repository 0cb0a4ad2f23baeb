import { encode } from 'gpt-tokenizer/encoding/cl100k_base';
import { describe, expect, it } from 'vitest';
import { countTextTokens } from './estimate-tokens.js';

describe('countTextTokens', () => {
  it('counts ordinary text as the tokenizer does', () => {
    const text = 'The quick brown fox jumps over the lazy dog.\n  function add(a, b) { return a + b; }\n'.repeat(50);
    expect(countTextTokens(text)).toBe(encode(text).length);
  });

  it('regression: a long run without a break (200 KB of one letter) is counted in linear time; it took the BPE tens of seconds, the event loop blocked', () => {
    // One pre-tokenizer piece of n characters cost the BPE about n² (100 KB: 7 s; 5 MB, under body_limit: hours),
    // paid for count_tokens and for every /v1/messages answer without NIM's usage.
    const started = performance.now();
    const letters = countTextTokens('x'.repeat(200_000));
    const blanks = countTextTokens(`a${' '.repeat(200_000)}b`);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeLessThan(5_000);
    // Still an estimate near the whole run's: 'x' runs merge into tokens of a few characters.
    expect(letters).toBeGreaterThan(200_000 / 16);
    expect(letters).toBeLessThan(200_000 / 2);
    expect(blanks).toBeGreaterThan(0);
  });
});
