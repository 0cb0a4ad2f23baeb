import { DEFAULT_API_KEY, DEFAULT_MODELS, expectedCompletion, mockDirective } from '@proxy/testkit';
import { startProxyHarness, type ProxyHarness } from '@proxy/testkit/harness';
import OpenAI from 'openai';
import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

// The real proxy (its nvidia connector, over real sockets) against the listening mock NIM, driven by the official
// `openai` SDK and raw HTTP.
const SMALL_WINDOW_MODEL = 'acme/small-window';
let harness: ProxyHarness;
beforeAll(async () => {
  harness = await startProxyHarness({
    config: { failure_handling: { keepalive_interval: 0.25 } },
    // A model whose window (in the mock's words) is five tokens.
    mock: { models: [...DEFAULT_MODELS, { id: SMALL_WINDOW_MODEL, contextTokens: 5 }] },
  });
});
afterEach(() => harness.mock.reset());
afterAll(async () => {
  await harness?.close();
});

const MODEL = 'meta/llama3-70b-instruct';
const lastChat = () => harness.mock.requests.all.filter((r) => r.path.endsWith('/chat/completions')).at(-1)!;

async function rawPost(body: unknown, headers: Record<string, string> = {}) {
  const response = await request(`${harness.baseURL}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${harness.proxyKey}`, 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.statusCode, headers: response.headers, text: await response.body.text() };
}

describe('models', () => {
  it('lists the NIM catalog as backend:model ids and finds ids with slashes', async () => {
    const models = await harness.client.models.list();
    const ids = models.data.map((model) => model.id);
    expect(ids).toContain(`nvidia:${MODEL}`);
    expect(ids).toContain('nvidia:deepseek-ai/deepseek-r1');
    const one = await harness.client.models.retrieve(`nvidia:${MODEL}`);
    expect(one.id).toBe(`nvidia:${MODEL}`);
  });
});

describe('chat completions', () => {
  it('answers non-streaming with the upstream JSON, rewriting the body for NIM on the way', async () => {
    const messages = [{ role: 'user' as const, content: 'What is NIM?' }];
    const completion = await harness.client.chat.completions.create({
      model: `nvidia:${MODEL}`,
      messages,
      max_completion_tokens: 200,
    });
    const expected = expectedCompletion({ model: MODEL, messages, max_tokens: 200 });
    expect(completion.choices[0]?.message.content).toBe(expected.content);
    expect(completion.usage).toMatchObject({ prompt_tokens: expected.usage.prompt_tokens, completion_tokens: expected.usage.completion_tokens });

    const sent = lastChat();
    expect(sent.body).toMatchObject({ model: MODEL, max_tokens: 200 });
    expect(sent.body).not.toHaveProperty('max_completion_tokens');
    expect(sent.httpVersion).toBe('1.1');
    expect(sent.headers.authorization).toMatch(/^Bearer nvap/); // the upstream key, never the proxy key
    expect(sent.headers.authorization).not.toContain(harness.proxyKey);
  });

  it('streams exactly the upstream content and reasoning, without stream_options upstream', async () => {
    const messages = [{ role: 'user' as const, content: 'Think, then answer.' }];
    const stream = await harness.client.chat.completions.create({
      model: 'nvidia:deepseek-ai/deepseek-r1',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    let content = '';
    let reasoning = '';
    let usage: OpenAI.CompletionUsage | undefined | null;
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta as { content?: string; reasoning_content?: string } | undefined;
      content += delta?.content ?? '';
      reasoning += delta?.reasoning_content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    const expected = expectedCompletion({ model: 'deepseek-ai/deepseek-r1', messages });
    expect(content).toBe(expected.content);
    expect(reasoning).toBe(expected.reasoningContent);
    expect(usage?.total_tokens).toBe(expected.usage.total_tokens);
    expect(lastChat().body).not.toHaveProperty('stream_options');
  });

  it("gives the SDK's stream helper NIM's usage frame without a choices key as OpenAI's, choices: []", async () => {
    harness.mock.setScenario({ stream: { usage: 'final-no-choices' } });
    const messages = [{ role: 'user' as const, content: 'usage, NIM-style' }];
    const stream = harness.client.chat.completions.stream({ model: `nvidia:${MODEL}`, messages, stream_options: { include_usage: true } });
    const final = await stream.finalChatCompletion(); // threw "chunk.choices is not iterable"
    const expected = expectedCompletion({ model: MODEL, messages });
    expect(final.choices[0]?.message.content).toBe(expected.content);
    expect(final.usage?.total_tokens).toBe(expected.usage.total_tokens);
  });

  it('hides the usage-only chunk from clients that did not ask for it', async () => {
    const stream = await harness.client.chat.completions.create({
      model: `nvidia:${MODEL}`,
      messages: [{ role: 'user', content: 'no usage please' }],
      stream: true,
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.length).toBeGreaterThan(2);
    expect(chunks.every((chunk) => chunk.choices.length > 0)).toBe(true);
  });

  it('routes a bare model to the default backend', async () => {
    const completion = await harness.client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'bare' }] });
    expect(completion.choices[0]?.message.content).toBe(expectedCompletion({ model: MODEL, messages: [{ role: 'user', content: 'bare' }] }).content);
    expect(lastChat().body).toMatchObject({ model: MODEL });
  });
});

describe('silence and keep-alives', () => {
  it('keeps a silent stream alive and the SDK still reads the exact answer', async () => {
    const text = `slow ${mockDirective({ timing: { firstByteDelayMs: 900, chunkDelayMs: 100 } })}`;
    const messages = [{ role: 'user' as const, content: text }];
    const raw = await rawPost({ model: `nvidia:${MODEL}`, stream: true, messages });
    expect(raw.status).toBe(200);
    const keepalives = raw.text.split('\n\n').filter((frame) => frame.includes('"delta":{},"finish_reason":null'));
    expect(keepalives.length).toBeGreaterThanOrEqual(2);
    expect(raw.text.trimEnd().endsWith('data: [DONE]')).toBe(true);

    const stream = await harness.client.chat.completions.create({ model: `nvidia:${MODEL}`, stream: true, messages });
    let content = '';
    for await (const chunk of stream) content += chunk.choices[0]?.delta?.content ?? '';
    expect(content).toBe(expectedCompletion({ model: MODEL, messages }).content);
  });
});

describe('errors', () => {
  it("turns NIM's problem-details 404 into an OpenAI error the SDK can show", async () => {
    const error = await harness.client.chat.completions
      .create({ model: 'nvidia:vendor/not-a-model', messages: [{ role: 'user', content: 'x' }] })
      .catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect((error as Error).message).toContain('Not found for account');
  });

  it("gives a prompt longer than the model's window OpenAI's context_length_exceeded, which the SDK exposes", async () => {
    const error = await harness.client.chat.completions
      .create({ model: `nvidia:${SMALL_WINDOW_MODEL}`, messages: [{ role: 'user', content: 'one two three four five six seven' }] })
      .catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({ status: 400, code: 'context_length_exceeded', param: 'messages' });
    expect((error as Error).message).toContain('maximum context length is 5 tokens');
  });

  it('passes 429 and Retry-After on as they were (a wait above retry_max_delay is not retried)', async () => {
    harness.mock.failNext({ type: 'rate-limit', retryAfterSeconds: 30 });
    const response = await rawPost({ model: `nvidia:${MODEL}`, messages: [{ role: 'user', content: 'x' }] });
    expect(response.status).toBe(429);
    expect(response.headers['retry-after']).toBe('30');
    expect(JSON.parse(response.text)).toMatchObject({ error: { type: 'rate_limit_error' } });
  });

  it('delivers a mid-stream disconnect as an error event the SDK throws', async () => {
    const messages = [{ role: 'user' as const, content: `drop ${mockDirective({ fault: { type: 'disconnect', afterChunks: 2 } })}` }];
    const stream = await harness.client.chat.completions.create({ model: `nvidia:${MODEL}`, stream: true, messages });
    const seen: string[] = [];
    const error = await (async () => {
      for await (const chunk of stream) seen.push(chunk.choices[0]?.delta?.content ?? '');
    })().catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(seen.length).toBeGreaterThan(0);
  });

  it('refuses a wrong proxy key and bad JSON in OpenAI shape', async () => {
    const denied = await rawPost({ model: MODEL, messages: [] }, { authorization: `Bearer ${DEFAULT_API_KEY}` });
    expect(denied.status).toBe(401);
    expect(JSON.parse(denied.text).error).toMatchObject({ type: 'authentication_error' });
    const invalid = await rawPost('{"model":');
    expect(invalid.status).toBe(400);
    expect(JSON.parse(invalid.text).error.message).toBeTruthy();
  });
});
