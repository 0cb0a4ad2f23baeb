import { describe, expect, it } from 'vitest';
import { readContextOverflow } from './context-overflow.js';

describe('readContextOverflow', () => {
  it("reads vLLM's wordings of a request longer than the model's window, with the numbers each names", () => {
    expect(
      readContextOverflow(
        "This model's maximum context length is 8192 tokens. However, you requested 9000 tokens (8000 in the messages, 1000 in the completion). Please reduce the length of the messages or completion.",
      ),
    ).toEqual({ limitTokens: 8192, promptTokens: 8000, completionTokens: 1000 });
    expect(readContextOverflow("This model's maximum context length is 8192 tokens and your request has 9000 input tokens.")).toEqual({
      limitTokens: 8192,
      promptTokens: 9000,
      completionTokens: undefined,
    });
    expect(readContextOverflow('The prompt (total length 140000) is longer than the maximum model length of 131072.')).toEqual({
      limitTokens: 131072,
      promptTokens: 140000,
    });
    expect(readContextOverflow('The decoder prompt (length 9000) is longer than the maximum model length of 8192.')).toEqual({ limitTokens: 8192, promptTokens: 9000 });
    expect(readContextOverflow('Input is longer than the maximum model length')).toEqual({ limitTokens: undefined, promptTokens: undefined });
  });

  it('reads nothing into other errors', () => {
    expect(readContextOverflow('Extra inputs are not permitted')).toBeUndefined();
    expect(readContextOverflow("max_tokens: Input should be less than or equal to 4096")).toBeUndefined();
  });
});
