import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../errors/invalid-request-error.js';
import { base64EmbeddingsText, isEmbeddingsList, parseEmbeddingsRequest } from './embeddings-request.js';

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

describe('base64EmbeddingsText', () => {
  it('writes number vectors as OpenAI writes base64 ones (float32, little-endian), keeping everything else', () => {
    const vector = [0.5, -0.25, 0.125, 1];
    const text = base64EmbeddingsText({ object: 'list', data: [{ index: 0, embedding: vector, object: 'embedding' }], model: 'm', usage: { prompt_tokens: 1 } });
    const answer = JSON.parse(text!) as { data: { embedding: string }[] };
    expect(answer).toEqual({ object: 'list', data: [{ index: 0, embedding: 'AAAAPwAAgL4AAAA+AACAPw==', object: 'embedding' }], model: 'm', usage: { prompt_tokens: 1 } });
    // What the openai SDK's decoder reads back.
    const bytes = Buffer.from(answer.data[0]!.embedding, 'base64');
    expect(Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4))).toEqual(vector);
  });

  it('has nothing to write when every vector is base64 already', () => {
    expect(base64EmbeddingsText({ data: [{ embedding: 'AAAAPw==' }] })).toBeUndefined();
    expect(base64EmbeddingsText({ choices: [] })).toBeUndefined();
  });
});
