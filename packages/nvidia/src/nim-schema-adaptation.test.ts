import { ProxyError, type CallLog, type ChatCompletionRequest, type UpstreamTrace } from '@proxy/core';
import { DEFAULT_API_KEY } from '@proxy/testkit';
import { startMockNim, type MockNimServer } from '@proxy/testkit/node';
import { afterEach, describe, expect, it } from 'vitest';
import { NvidiaConnector } from './nvidia-connector.js';

const MODEL = 'meta/llama3-70b-instruct';
const OTHER = 'meta/llama-3.1-8b-instruct';
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function start(options: Parameters<typeof startMockNim>[0] = {}): Promise<{ nim: MockNimServer; connector: NvidiaConnector }> {
  const nim = await startMockNim(options);
  const connector = new NvidiaConnector({ baseURL: nim.url, apiKey: DEFAULT_API_KEY, env: {}, healthCheck: false, models: [MODEL], keepAliveTimeoutMs: 10 });
  closers.push(() => connector.close(), () => nim.close());
  await connector.initialize();
  return { nim, connector };
}

function recordingLog(): CallLog & { lines: { level: string; fields: Record<string, unknown>; message: string }[] } {
  const lines: { level: string; fields: Record<string, unknown>; message: string }[] = [];
  return {
    lines,
    warn: (fields, message) => lines.push({ level: 'warn', fields, message }),
    debug: (fields, message) => lines.push({ level: 'debug', fields, message }),
  };
}

const chat = (extra: Record<string, unknown> = {}): ChatCompletionRequest => ({ model: MODEL, messages: [{ role: 'user', content: 'Hi' }], ...extra });
const sentBodies = (nim: MockNimServer) => nim.requests.to('/chat/completions').map((entry) => entry.body as Record<string, unknown>);

describe('fields NIM’s strict schema rejects', () => {
  it('never sends the OpenAI-only fields agent SDKs add, and notes them at debug', async () => {
    const { nim, connector } = await start();
    const log = recordingLog();
    const extra = { store: false, metadata: { a: 'b' }, prompt_cache_key: 'k', service_tier: 'auto', verbosity: 'low', reasoning_effort: 'low', parallel_tool_calls: true };
    const result = await connector.chatCompletion(chat(extra), { log });
    expect(result.body.choices).toHaveLength(1);
    expect(sentBodies(nim)).toHaveLength(1);
    expect(Object.keys(sentBodies(nim)[0]!).sort()).toEqual(['max_tokens', 'messages', 'model', 'parallel_tool_calls', 'reasoning_effort', 'stream']);
    expect(log.lines).toEqual([{ level: 'debug', fields: { backend: 'nvidia', fields: ['store', 'metadata', 'prompt_cache_key', 'service_tier', 'verbosity'] }, message: expect.any(String) }]);
  });

  it.each(['problem-422', 'detail-list-422', 'prose-422', 'detail-400', 'message-400', 'openai-400'] as const)(
    'drops a field NIM rejects (%s), retries once, and never sends it to that model again',
    async (validationErrorStyle) => {
      const { nim, connector } = await start({ rejectFields: ['frequency_penalty'], validationErrorStyle });
      const log = recordingLog();
      await connector.chatCompletion(chat({ frequency_penalty: 0.5, temperature: 0.2 }), { log });
      await connector.chatCompletion(chat({ frequency_penalty: 0.5 }), { log });
      const stream = await connector.streamChatCompletion(chat({ frequency_penalty: 0.5, stream: true }), { log });
      for await (const read of stream) void read;

      const bodies = sentBodies(nim);
      expect(bodies.map((body) => 'frequency_penalty' in body)).toEqual([true, false, false, false]);
      expect(bodies[1]).toMatchObject({ temperature: 0.2 });
      const warnings = log.lines.filter((line) => line.level === 'warn');
      expect(warnings).toEqual([{ level: 'warn', fields: { backend: 'nvidia', model: MODEL, field: 'frequency_penalty' }, message: expect.stringContaining('rejected') }]);
    },
  );

  it('remembers a rejected field for the model that refused it only', async () => {
    const nim = await startMockNim({ models: [{ id: MODEL, rejectFields: ['reasoning'] }, { id: OTHER }], allowFields: ['reasoning'] });
    const connector = new NvidiaConnector({ baseURL: nim.url, apiKey: DEFAULT_API_KEY, env: {}, healthCheck: false, models: [MODEL, OTHER], keepAliveTimeoutMs: 10 });
    closers.push(() => connector.close(), () => nim.close());
    const reasoning = { effort: 'high' };
    await connector.chatCompletion(chat({ reasoning }));
    await connector.chatCompletion({ ...chat({ reasoning }), model: OTHER });
    await connector.chatCompletion(chat({ reasoning }));
    expect(sentBodies(nim).map((body) => [body.model, 'reasoning' in body])).toEqual([
      [MODEL, true],
      [MODEL, false],
      [OTHER, true],
      [MODEL, false],
    ]);
  });

  it('adapts a stream too, before the client got anything', async () => {
    const { nim, connector } = await start({ rejectFields: ['top_k'] });
    const stream = await connector.streamChatCompletion(chat({ top_k: 5, stream: true }));
    let reads = 0;
    for await (const read of stream) reads += read.events.length;
    expect(reads).toBeGreaterThan(0);
    expect(sentBodies(nim).map((body) => 'top_k' in body)).toEqual([true, false]);
  });

  it('drops every field one rejection names in the one retry', async () => {
    const { nim, connector } = await start({ rejectFields: ['top_k', 'min_p'], validationErrorStyle: 'detail-list-422' });
    const first = await connector.chatCompletion(chat({ top_k: 5, min_p: 0.1 }));
    expect(first.body.choices).toHaveLength(1);
    expect(sentBodies(nim).map((body) => Object.keys(body).filter((key) => key === 'top_k' || key === 'min_p'))).toEqual([['top_k', 'min_p'], []]);
  });

  it('retries only once: a second rejection reaches the caller as NIM said it, and the next call learns from it', async () => {
    // This wording names one field per answer.
    const { nim, connector } = await start({ rejectFields: ['top_k', 'min_p'], validationErrorStyle: 'detail-400' });
    const error = await connector.chatCompletion(chat({ top_k: 5, min_p: 0.1 })).catch((caught: unknown) => caught);
    expect(ProxyError.isInstance(error) && error.status).toBe(400);
    expect(sentBodies(nim)).toHaveLength(2);
    await connector.chatCompletion(chat({ top_k: 5, min_p: 0.1 }));
    expect(sentBodies(nim).map((body) => Object.keys(body).filter((key) => key === 'top_k' || key === 'min_p'))).toEqual([['top_k', 'min_p'], ['min_p'], ['min_p'], []]);
  });

  it("drops vLLM's prefill controls together: a refusal of either, one named per answer, costs one retry and is remembered", async () => {
    const prefill = () => chat({ messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: '{' }], continue_final_message: true, add_generation_prompt: false });
    const controls = (nim: MockNimServer) => sentBodies(nim).map((body) => Object.keys(body).filter((key) => key === 'continue_final_message' || key === 'add_generation_prompt'));
    for (const refused of [['continue_final_message', 'add_generation_prompt'], ['add_generation_prompt'], ['continue_final_message']]) {
      // This wording names one field per answer: dropping only it would need a second retry, or send the other alone.
      const { nim, connector } = await start({ rejectFields: refused, validationErrorStyle: 'detail-400' });
      const log = recordingLog();
      expect((await connector.chatCompletion(prefill(), { log })).body.choices).toHaveLength(1);
      expect((await connector.chatCompletion(prefill(), { log })).body.choices).toHaveLength(1);
      expect(controls(nim)).toEqual([['continue_final_message', 'add_generation_prompt'], [], []]);
      expect(log.lines.filter((line) => line.level === 'warn').map((line) => line.fields.field).sort()).toEqual(['add_generation_prompt', 'continue_final_message']);
    }
  });

  it('does not retry for a field the body did not carry, nor drop the fields a request is made of', async () => {
    const { nim, connector } = await start({ rejectFields: ['tools'] });
    const tools = [{ type: 'function' as const, function: { name: 'f', parameters: { type: 'object' } } }];
    const error = await connector.chatCompletion(chat({ tools })).catch((caught: unknown) => caught);
    expect(ProxyError.isInstance(error) && error.status).toBe(422);
    expect(sentBodies(nim)).toHaveLength(1);
  });
});

describe('a field NIM refuses inside the tools', () => {
  it('is not adapted to: the client gets NIM’s 422 quoting the location, after one call', async () => {
    const { nim, connector } = await start({ rejectToolFields: ['strict'] });
    const tools = [{ type: 'function' as const, function: { name: 'f', parameters: { type: 'object' }, strict: true } }];
    const error = await connector.chatCompletion(chat({ tools })).catch((caught: unknown) => caught);
    expect(ProxyError.isInstance(error) && error.status).toBe(422);
    expect(ProxyError.isInstance(error) && error.message).toMatch(/NVIDIA NIM rejected a field of the request \(HTTP 422\).*\('body', 'tools', 0, 'function', 'strict'\)/);
    expect(sentBodies(nim)).toHaveLength(1);
  });
});

describe('a max_tokens NIM refuses', () => {
  it("retries once with the model's cap, remembers it, and sends every later request within it (Claude Code's 32000)", async () => {
    const { nim, connector } = await start({ models: [{ id: MODEL, maxTokens: 4096 }] });
    const log = recordingLog();
    const first = await connector.chatCompletion(chat({ max_tokens: 32000 }), { log });
    expect(first.body.choices).toHaveLength(1);
    const stream = await connector.streamChatCompletion(chat({ max_tokens: 32000, stream: true }), { log });
    for await (const read of stream) void read;
    await connector.chatCompletion(chat({ max_completion_tokens: 9000 }), { log });
    await connector.chatCompletion(chat({ max_tokens: 100 }), { log });
    expect(sentBodies(nim).map((body) => body.max_tokens)).toEqual([32000, 4096, 4096, 4096, 100]);
    expect(log.lines.filter((line) => line.level === 'warn')).toEqual([
      { level: 'warn', fields: { backend: 'nvidia', model: MODEL, max_tokens: 4096 }, message: expect.stringContaining('caps max_tokens') },
    ]);
  });

  it('fixes a refused field and a max_tokens over the cap named in one answer with one retry', async () => {
    const { nim, connector } = await start({ models: [{ id: MODEL, maxTokens: 4096 }] });
    const answer = await connector.chatCompletion(chat({ max_tokens: 32000, top_k: 5 }));
    expect(answer.body.choices).toHaveLength(1);
    expect(sentBodies(nim).map((body) => [body.max_tokens, 'top_k' in body])).toEqual([
      [32000, true],
      [4096, false],
    ]);
  });

  it("retries once with what vLLM's context window leaves for the prompt, for that request only", async () => {
    const { nim, connector } = await start();
    const context = "This model's maximum context length is 8192 tokens. However, you requested 37000 tokens (5000 in the messages, 32000 in the completion). Please reduce the length of the messages or completion.";
    nim.failNext({ type: 'http-error', status: 400, body: { object: 'error', message: context, type: 'BadRequestError', param: null, code: 400 } });
    const answer = await connector.chatCompletion(chat({ max_tokens: 32000 }));
    expect(answer.body.choices).toHaveLength(1);
    await connector.chatCompletion(chat({ max_tokens: 32000 }));
    expect(sentBodies(nim).map((body) => body.max_tokens)).toEqual([32000, 3192, 32000]);
  });

  it('passes the refusal on when nothing is left for an answer or the body asked for no max_tokens', async () => {
    const { nim, connector } = await start();
    const full = "This model's maximum context length is 8192 tokens and your request has 9000 input tokens (32000 > 8192 - 9000).";
    nim.failNext({ type: 'http-error', status: 400, body: { object: 'error', message: full, code: 400 } });
    const error = await connector.chatCompletion(chat({ max_tokens: 32000 })).catch((caught: unknown) => caught);
    expect(ProxyError.isInstance(error) && error.status).toBe(400);
    nim.failNext({ type: 'http-error', status: 400, body: { object: 'error', message: full, code: 400 } });
    expect(await connector.chatCompletion(chat()).catch((caught: unknown) => ProxyError.isInstance(caught) && caught.status)).toBe(400);
    expect(sentBodies(nim)).toHaveLength(2);
  });
});

describe('traceable NIM calls', () => {
  it('sends the request id as x-request-id and notes NIM’s nvcf-reqid, JSON and stream', async () => {
    const { nim, connector } = await start();
    const trace: UpstreamTrace = {};
    await connector.chatCompletion(chat(), { requestId: 'req-42', trace });
    const sent = nim.requests.to('/chat/completions');
    expect(sent[0]!.headers['x-request-id']).toBe('req-42');
    expect(trace.upstreamRequestId).toEqual({ header: 'nvcf-reqid', value: expect.stringMatching(/^[0-9a-f-]{36}$/) });

    const streamTrace: UpstreamTrace = {};
    const stream = await connector.streamChatCompletion(chat({ stream: true }), { requestId: 'req-43', trace: streamTrace });
    stream.cancel();
    expect(nim.requests.to('/chat/completions')[1]!.headers['x-request-id']).toBe('req-43');
    expect(streamTrace.upstreamRequestId?.value).not.toBe(trace.upstreamRequestId?.value);
  });
});
