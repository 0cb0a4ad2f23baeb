import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../errors/invalid-request-error.js';
import { isEmbeddingsList, parseEmbeddingsRequest } from './embeddings-request.js';

describe('parseEmbeddingsRequest', () => {
  it('takes text, texts and token ids, and passes NIM’s own fields through', () => {
    for (const input of ['a', ['a', 'b'], [1, 2], [[1], [2, 3]]]) expect(parseEmbeddingsRequest({ model: 'm', input }).input).toEqual(input);
    expect(parseEmbeddingsRequest({ model: 'm', input: 'a', input_type: 'query', truncate: 'END' })).toEqual({ model: 'm', input: 'a', input_type: 'query', truncate: 'END' });
  });

  it('names the field at fault', () => {
    const fault = (body: unknown) => {
      try {
        parseEmbeddingsRequest(body);
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidRequestError);
        return (error as InvalidRequestError).param;
      }
      throw new Error('expected a refusal');
    };
    expect(fault({ model: 'm' })).toBe('input');
    expect(fault({ model: 'm', input: [] })).toBe('input');
    // OpenAI answers 400 for an empty text, alone or in a list, and for more than 2048 inputs.
    expect(fault({ model: 'm', input: '' })).toBe('input');
    expect(fault({ model: 'm', input: ['a', ''] })).toBe('input[1]');
    expect(fault({ model: 'm', input: Array.from({ length: 2049 }, () => 'a') })).toBe('input');
    expect(fault({ model: 'm', input: Array.from({ length: 2049 }, () => [1]) })).toBe('input');
    expect(parseEmbeddingsRequest({ model: 'm', input: Array.from({ length: 2048 }, () => 'a') }).input).toHaveLength(2048);
    expect(fault({ input: 'a' })).toBe('model');
    expect(fault({ model: 'm', input: 'a', encoding_format: 'hex' })).toBe('encoding_format');
    expect(fault([1])).toBeNull();
  });
});

describe('isEmbeddingsList', () => {
  it('wants a data list of embeddings', () => {
    expect(isEmbeddingsList({ object: 'list', data: [{ embedding: [0.1] }] })).toBe(true);
    expect(isEmbeddingsList({ data: [{ vector: [0.1] }] })).toBe(false);
    expect(isEmbeddingsList({ choices: [] })).toBe(false);
    expect(isEmbeddingsList(null)).toBe(false);
  });
});
