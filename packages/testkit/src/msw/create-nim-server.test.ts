import OpenAI from 'openai';
import { http, HttpResponse } from 'msw';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_API_KEY } from '../handlers/auth.js';
import { expectedCompletion } from '../handlers/completion-content.js';
import { mockDirective } from '../handlers/directive.js';
import { deltaText, streamChunks } from '../test-support/sse.js';
import { createNimServer, NIM_HOSTED_ORIGIN } from './create-nim-server.js';

// `nim.test` does not resolve: every answer below must come from the interception.
const nim = createNimServer({ origin: 'http://nim.test' });
// The SDK captures `globalThis.fetch` when constructed: construct it after `listen()` patched it.
let openai: OpenAI;

beforeAll(() => {
  nim.listen();
  openai = new OpenAI({ baseURL: nim.url, apiKey: DEFAULT_API_KEY, maxRetries: 0 });
});
afterEach(() => nim.reset());
afterAll(() => nim.close());

const headers = { authorization: `Bearer ${DEFAULT_API_KEY}`, 'content-type': 'application/json' };
const body = (extra: Record<string, unknown> = {}) => ({
  model: 'meta/llama3-70b-instruct',
  messages: [{ role: 'user', content: 'hi there' }],
  ...extra,
});
const post = (payload: unknown, init: RequestInit = {}) =>
  fetch(`${nim.url}/chat/completions`, { method: 'POST', headers, body: JSON.stringify(payload), ...init });

describe('createNimServer with global fetch', () => {
  it('defaults to hosted NIM’s origin', () => {
    const hosted = createNimServer();
    expect(hosted.url).toBe(`${NIM_HOSTED_ORIGIN}/v1`);
  });

  it('answers models and completions in-process', async () => {
    expect(nim.url).toBe('http://nim.test/v1');
    const models = await fetch(`${nim.url}/models`);
    expect(models.status).toBe(200);
    expect(((await models.json()) as { object: string }).object).toBe('list');
    const response = await post(body());
    expect(((await response.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]?.message.content).toBe(
      'You said: hi there',
    );
  });

  it('streams SSE through fetch', async () => {
    const response = await post(body({ stream: true }));
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const text = await response.text();
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
    expect(deltaText(streamChunks(text), 'content')).toBe('You said: hi there');
  });

  it('records requests, with no HTTP version in-process', async () => {
    await (await post(body())).text();
    expect(nim.requests.all).toHaveLength(1);
    expect(nim.requests.last).toMatchObject({
      method: 'POST',
      url: 'http://nim.test/v1/chat/completions',
      httpVersion: undefined,
      headers: { authorization: 'Bearer nvap…***' },
      body: body(),
    });
  });

  it('turns reset into a fetch network error', async () => {
    await expect(post(body({ messages: [{ role: 'user', content: mockDirective({ fault: { type: 'reset' } }) }] }))).rejects.toThrow(
      TypeError,
    );
  });

  it('errors the body stream on a mid-stream disconnect', async () => {
    nim.failNext({ type: 'disconnect', afterChunks: 2 });
    const response = await post(body({ stream: true }));
    expect(response.status).toBe(200);
    await expect(response.text()).rejects.toThrow();
  });

  it('hangs until the client aborts', async () => {
    nim.failNext({ type: 'hang' });
    await expect(post(body(), { signal: AbortSignal.timeout(100) })).rejects.toMatchObject({ name: 'TimeoutError' });
  });

  it('withholds the response for firstByteDelayMs', async () => {
    nim.setScenario({ timing: { firstByteDelayMs: 200 } });
    const start = performance.now();
    await (await fetch(`${nim.url}/models`)).text();
    expect(performance.now() - start).toBeGreaterThanOrEqual(180);
  });

  it('takes per-test handlers with use() until reset()', async () => {
    nim.use(http.get('http://nim.test/v1/models', () => HttpResponse.json({ object: 'list', data: [] })));
    expect(await (await fetch(`${nim.url}/models`)).json()).toEqual({ object: 'list', data: [] });
    expect(nim.requests.all).toHaveLength(1);
    nim.reset();
    expect(((await (await fetch(`${nim.url}/models`)).json()) as { data: unknown[] }).data.length).toBeGreaterThan(0);
  });
});

describe('createNimServer with the official openai SDK', () => {
  it('lists models', async () => {
    const page = await openai.models.list();
    expect(page.data.map((model) => model.id)).toContain('stepfun-ai/step-3.5-flash');
  });

  it('creates a completion with deterministic content and usage', async () => {
    const request = { model: 'meta/llama3-70b-instruct', messages: [{ role: 'user' as const, content: 'hello sdk' }] };
    const completion = await openai.chat.completions.create(request);
    const expected = expectedCompletion(request);
    expect(completion.choices[0]?.message.content).toBe(expected.content);
    expect(completion.usage).toEqual(expected.usage);
  });

  it('streams, including reasoning deltas and the usage-only chunk', async () => {
    const stream = await openai.chat.completions.create({
      model: 'deepseek-ai/deepseek-r1',
      messages: [{ role: 'user', content: 'stream me' }],
      stream: true,
    });
    let content = '';
    let reasoning = '';
    let usage: unknown;
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta as { content?: string; reasoning_content?: string } | undefined;
      content += delta?.content ?? '';
      reasoning += delta?.reasoning_content ?? '';
      usage = chunk.usage ?? usage;
    }
    expect(content).toBe('You said: stream me');
    expect(reasoning).toBe('Thinking about: stream me');
    expect(usage).toMatchObject({ total_tokens: expect.any(Number) });
  });

  it('surfaces NIM errors by status (the bodies are not OpenAI-shaped)', async () => {
    nim.failNext({ type: 'rate-limit', retryAfterSeconds: 3 });
    const error = await openai.chat.completions.create(body() as never).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect((error as InstanceType<typeof OpenAI.APIError>).headers?.get('retry-after')).toBe('3');

    const rejected = await openai.chat.completions
      .create({ ...body(), max_completion_tokens: 10 } as never)
      .catch((caught: unknown) => caught);
    expect(rejected).toMatchObject({ status: 422 });

    const wrongKey = new OpenAI({ baseURL: nim.url, apiKey: 'nvapi-wrong', maxRetries: 0 });
    await expect(wrongKey.chat.completions.create(body() as never)).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  });

  // Each of these cancels a mocked body the client did not read to its end. msw keeps an unread clone of every
  // mocked response, and a cancel waited on that clone for ever: the SDK hung, and the test with it.
  it('retries a 503 with the SDK’s own retries', async () => {
    const retrying = new OpenAI({ baseURL: nim.url, apiKey: DEFAULT_API_KEY, maxRetries: 1 });
    nim.failNext({ type: 'http-error', status: 503, headers: { 'retry-after-ms': '1' } });
    const completion = await retrying.chat.completions.create(body() as never);
    expect(completion.choices[0]?.message.content).toBe('You said: hi there');
    expect(nim.requests.to('/chat/completions')).toHaveLength(2);
  });

  const streamed = { model: 'meta/llama3-70b-instruct', messages: [{ role: 'user' as const, content: 'hi there' }], stream: true as const };

  it('ends a stream the client breaks out of', async () => {
    const stream = await openai.chat.completions.create(streamed);
    for await (const chunk of stream) {
      expect(chunk).toMatchObject({ object: 'chat.completion.chunk' });
      break;
    }
    expect(stream.controller.signal.aborted).toBe(true);
  });

  it('surfaces a stream-error event as the SDK’s APIError', async () => {
    nim.failNext({ type: 'stream-error', message: 'engine died' });
    const stream = await openai.chat.completions.create(streamed);
    const drain = async (): Promise<void> => {
      for await (const chunk of stream) void chunk;
    };
    await expect(drain()).rejects.toThrow('engine died');
  });

  it('lets fetch cancel a body it stops reading', async () => {
    const response = await post(body({ stream: true }));
    const reader = response.body!.getReader();
    expect((await reader.read()).done).toBe(false);
    await expect(reader.cancel()).resolves.toBeUndefined();
  });
});
