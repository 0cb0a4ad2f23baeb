import type { ChatCompletionRequest } from '@proxy/core';
import { describe, expect, it } from 'vitest';
import { NIM_UNSUPPORTED_FIELDS, toNimRequestBody } from './to-nim-request-body.js';

const base = { model: 'meta/llama3-70b', messages: [{ role: 'user', content: 'Hi' }] };

describe('toNimRequestBody', () => {
  it('sends max_completion_tokens as max_tokens', () => {
    const body = toNimRequestBody({ ...base, max_completion_tokens: 64 });
    expect(body).toEqual({ ...base, max_tokens: 64 });
    expect(body).not.toHaveProperty('max_completion_tokens');
  });

  it("lowers max_tokens (or max_completion_tokens) to the model's learned cap, and leaves a smaller one as it is", () => {
    expect(toNimRequestBody({ ...base, max_tokens: 32000 }, { maxTokensCap: 4096 })).toEqual({ ...base, max_tokens: 4096 });
    expect(toNimRequestBody({ ...base, max_completion_tokens: 9000 }, { maxTokensCap: 4096 })).toEqual({ ...base, max_tokens: 4096 });
    const small = { ...base, max_tokens: 100 };
    expect(toNimRequestBody(small, { maxTokensCap: 4096 })).toBe(small);
  });

  it('sends the default max_tokens when the request names no limit, within the learned cap', () => {
    expect(toNimRequestBody(base, { defaultMaxTokens: 16384 })).toEqual({ ...base, max_tokens: 16384 });
    expect(toNimRequestBody({ ...base, max_tokens: null, max_completion_tokens: null }, { defaultMaxTokens: 16384 })).toEqual({ ...base, max_tokens: 16384 });
    expect(toNimRequestBody(base, { defaultMaxTokens: 16384, maxTokensCap: 4096 })).toEqual({ ...base, max_tokens: 4096 });
    // The client's own limit, however small, is its to set.
    const limited = { ...base, max_tokens: 10 };
    expect(toNimRequestBody(limited, { defaultMaxTokens: 16384 })).toBe(limited);
    expect(toNimRequestBody({ ...base, max_completion_tokens: 20 }, { defaultMaxTokens: 16384 })).toEqual({ ...base, max_tokens: 20 });
    // 0: NIM's own default.
    expect(toNimRequestBody(base, { defaultMaxTokens: 0 })).toBe(base);
  });

  it("keeps the client's explicit max_tokens and drops max_completion_tokens when both are sent", () => {
    const body = toNimRequestBody({ ...base, max_tokens: 32, max_completion_tokens: 64 });
    expect(body).toEqual({ ...base, max_tokens: 32 });
  });

  it('drops a null max_completion_tokens instead of sending the field NIM rejects', () => {
    expect(toNimRequestBody({ ...base, max_completion_tokens: null })).toEqual(base);
  });

  it('never sends stream_options', () => {
    const body = toNimRequestBody({ ...base, stream: true, stream_options: { include_usage: true } });
    expect(body).toEqual({ ...base, stream: true });
  });

  it('passes every other field through untouched', () => {
    const request: ChatCompletionRequest = {
      ...base,
      temperature: 0.2,
      top_p: 0.9,
      max_tokens: 10,
      tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }],
      reasoning: { effort: 'high' },
      nvext: { guided_json: { type: 'object' } },
    };
    const body = toNimRequestBody(request);
    expect(body).toEqual(request);
    expect(body.tools).toBe(request.tools);
  });

  it('returns a request with nothing to change as it is, without a copy', () => {
    const request: ChatCompletionRequest = { ...base, stream: true, max_tokens: 10 };
    expect(toNimRequestBody(request)).toBe(request);
    // An undefined field is left out of the JSON sent, as before.
    expect(JSON.stringify(toNimRequestBody({ ...base, stream_options: undefined }))).toBe(JSON.stringify(base));
  });

  it('never mutates its input', () => {
    const request: ChatCompletionRequest = { ...base, max_completion_tokens: 64, stream_options: { include_usage: true } };
    const before = structuredClone(request);
    toNimRequestBody(Object.freeze(request));
    expect(request).toEqual(before);
  });

  it('never sends the OpenAI-only fields NIM’s schema rejects, and says which it left out', () => {
    const dropped: (readonly string[])[] = [];
    const request = {
      ...base,
      store: false,
      metadata: { user: 'a' },
      prompt_cache_key: 'k',
      service_tier: 'auto',
      modalities: ['text'],
      verbosity: 'low',
      safety_identifier: 's',
      prediction: { type: 'content', content: 'x' },
      audio: { voice: 'alloy' },
      web_search_options: {},
    } as ChatCompletionRequest;
    expect(toNimRequestBody(request, { onDropped: (fields) => dropped.push(fields) })).toEqual(base);
    expect(dropped).toEqual([[...NIM_UNSUPPORTED_FIELDS]]);
  });

  it('keeps the fields NIM’s current models take', () => {
    const request = { ...base, reasoning_effort: 'high', chat_template_kwargs: { thinking: true }, parallel_tool_calls: false } as ChatCompletionRequest;
    let told = false;
    expect(toNimRequestBody(request, { onDropped: () => (told = true) })).toBe(request);
    expect(told).toBe(false);
  });

  it('leaves out the fields NIM rejected for the model before', () => {
    const request = { ...base, top_k: 5, temperature: 0.1 } as ChatCompletionRequest;
    expect(toNimRequestBody(request, { rejected: new Set(['top_k']) })).toEqual({ ...base, temperature: 0.1 });
    expect(toNimRequestBody(request, { rejected: new Set(['min_p']) })).toBe(request);
  });
});

