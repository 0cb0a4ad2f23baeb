import { ProxyError } from '@proxy/core';
import { describe, expect, it } from 'vitest';
import { embeddingsFixFor, toNimEmbeddingsBody } from './nim-embeddings.js';

const refusal = (status: number, responseBody: string) => new ProxyError({ status, upstreamStatus: status, responseBody, message: 'refused' });

describe('NIM embeddings rules', () => {
  it('drops the fields NIM names, never model or input, and only ones the body carried', () => {
    const body = { model: 'm', input: 'x', user: 'u', truncate: 'END' };
    expect(embeddingsFixFor(refusal(400, '{"detail":{"type":"extra_forbidden","loc":["body","user"]}}'), body)).toEqual({ kind: 'drop', fields: ['user'] });
    expect(embeddingsFixFor(refusal(422, "[{'type': 'extra_forbidden', 'loc': ('body', 'input'), 'msg': 'x'}]"), body)).toBeUndefined();
    expect(embeddingsFixFor(refusal(422, "[{'type': 'extra_forbidden', 'loc': ('body', 'dimensions'), 'msg': 'x'}]"), body)).toBeUndefined();
  });

  it('refuses a refused dimensions in OpenAI\'s words instead of dropping it: the vectors would have another size', () => {
    const fix = embeddingsFixFor(refusal(400, '{"detail":{"type":"extra_forbidden","loc":["body","dimensions"]}}'), { model: 'm', input: 'x', dimensions: 8 });
    expect(fix?.kind).toBe('refuse');
    const error = (fix as { error: ProxyError }).error;
    expect(error.toBody()).toEqual({
      error: { message: expect.stringMatching(/does not take `dimensions`.*Matryoshka/), type: 'invalid_request_error', param: 'dimensions', code: 'unsupported_parameter' },
    });
    expect(error.status).toBe(400);
  });

  it('asks for input_type when NIM refuses a request without one, not when the client sent one', () => {
    const message = `{"object":"error","message":"'input_type' parameter is required for asymmetric models"}`;
    expect(embeddingsFixFor(refusal(400, message), { model: 'm', input: 'x' })).toEqual({ kind: 'input_type' });
    expect(embeddingsFixFor(refusal(400, message), { model: 'm', input: 'x', input_type: 'passage' })).toBeUndefined();
    expect(embeddingsFixFor(refusal(500, message), { model: 'm', input: 'x' })).toBeUndefined();
    expect(embeddingsFixFor(new Error('boom'), { model: 'm', input: 'x' })).toBeUndefined();
  });

  it('builds the body without the fields and with "query" where needed, leaving the request as it was', () => {
    const request = { model: 'm', input: 'x', dimensions: 8 };
    expect(toNimEmbeddingsBody(request, undefined, false)).toBe(request);
    expect(toNimEmbeddingsBody(request, new Set(['dimensions']), true)).toEqual({ model: 'm', input: 'x', input_type: 'query' });
    expect(toNimEmbeddingsBody({ ...request, input_type: 'passage' }, undefined, true)).toEqual({ ...request, input_type: 'passage' });
    expect(request).toEqual({ model: 'm', input: 'x', dimensions: 8 });
  });
});
