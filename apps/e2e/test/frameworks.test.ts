import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { tool as langchainTool } from '@langchain/core/tools';
import { ChatOpenAI, OpenAIEmbeddings } from '@langchain/openai';
import { DEFAULT_MODELS, vectorFor } from '@proxy/testkit';
import { startProxyHarness, type ProxyHarness } from '@proxy/testkit/harness';
import { generateText, jsonSchema, stepCountIs, streamText, tool } from 'ai';
import OpenAINext from 'openai-next';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

// Agent frameworks as their users run them, through the real proxy to the mock NIM answering with NIM's numeric
// ids. The Vercel AI SDK, LangChain's @langchain/openai and the newest openai SDK need Node >= 22: this file runs
// in CI's Node 24 pass.
const NODE_MAJOR = Number(process.versions.node.split('.')[0]);
const MODEL = 'meta/llama3-70b-instruct';
/** A MiniMax build without its tool parser: its tool calls come as MiniMax's markup in the text. */
const MARKUP_MODEL = 'minimaxai/minimax-m3';
const CITY = { city: 'Paris' };

let harness: ProxyHarness;
beforeAll(async () => {
  if (NODE_MAJOR < 22) return;
  harness = await startProxyHarness({
    mock: { models: [...DEFAULT_MODELS, { id: MARKUP_MODEL, toolMarkup: 'minimax' }] },
    config: { failure_handling: { keepalive_interval: 0.2 } },
  });
});
afterEach(() => harness?.mock.reset());
afterAll(async () => {
  await harness?.close();
});

/** NIM's quirks the frameworks broke on: numeric completion and tool-call ids, the tool call a model makes. */
const nimWithNumericIds = (extra: Record<string, unknown> = {}) =>
  harness.mock.setScenario({ stream: { idStyle: 'number' }, toolCall: { name: 'get_weather', arguments: CITY }, finalAnswer: 'It is sunny in Paris.', ...extra });

describe.skipIf(NODE_MAJOR < 22)('the Vercel AI SDK (ai + @ai-sdk/openai-compatible)', () => {
  const model = () => createOpenAICompatible({ name: 'nim-proxy', baseURL: harness.baseURL, apiKey: harness.proxyKey, includeUsage: true }).chatModel(`nvidia:${MODEL}`);
  const weather = () =>
    tool({
      description: 'The weather in a city',
      inputSchema: jsonSchema<{ city: string }>({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }),
      execute: ({ city }) => Promise.resolve(`sunny in ${city}`),
    });

  it('runs a streamed multi-step tool call against NIM’s numeric ids', async () => {
    nimWithNumericIds();
    const result = streamText({ model: model(), prompt: 'Weather in Paris?', tools: { get_weather: weather() }, stopWhen: stepCountIs(3), maxRetries: 0 });
    expect(await result.text).toBe('It is sunny in Paris.');
    const steps = await result.steps;
    expect(steps).toHaveLength(2);
    const [call] = steps[0]!.toolCalls;
    expect(call).toMatchObject({ toolName: 'get_weather', input: CITY });
    expect(call!.toolCallId).toMatch(/^call_/);
    expect(steps[0]!.toolResults[0]).toMatchObject({ toolCallId: call!.toolCallId, output: 'sunny in Paris' });
    // The second turn sent NIM the tool call and its result under the same string id.
    const second = harness.mock.requests.to('/chat/completions')[1]!.body as { messages: { role: string; tool_calls?: { id: unknown }[]; tool_call_id?: unknown }[] };
    const assistant = second.messages.find((message) => message.role === 'assistant');
    expect(assistant?.tool_calls?.[0]?.id).toBe(call!.toolCallId);
    expect(second.messages.find((message) => message.role === 'tool')?.tool_call_id).toBe(call!.toolCallId);
    // The response is named by its first frame: the proxy's string id and NIM's model.
    const response = await result.response;
    expect(response.id).toMatch(/^chatcmpl-/);
    expect(response.modelId).toBe(MODEL);
  });

  it('runs the tool calls a MiniMax model wrote as markup in its text, streamed and not', async () => {
    harness.mock.setScenario({ toolCall: { name: 'get_weather', arguments: CITY }, finalAnswer: 'It is sunny in Paris.' });
    const minimax = createOpenAICompatible({ name: 'nim-proxy', baseURL: harness.baseURL, apiKey: harness.proxyKey }).chatModel(`nvidia:${MARKUP_MODEL}`);
    const streamed = streamText({ model: minimax, prompt: 'Weather in Paris?', tools: { get_weather: weather() }, stopWhen: stepCountIs(3), maxRetries: 0 });
    expect(await streamed.text).toBe('It is sunny in Paris.');
    const steps = await streamed.steps;
    expect(steps[0]!.toolCalls[0]).toMatchObject({ toolName: 'get_weather', input: CITY });
    expect(steps[0]!.text).not.toContain('minimax');
    const generated = await generateText({ model: minimax, prompt: 'Weather in Paris?', tools: { get_weather: weather() }, stopWhen: stepCountIs(3), maxRetries: 0 });
    expect(generated.steps[0]!.toolResults[0]).toMatchObject({ toolName: 'get_weather', output: 'sunny in Paris' });
    expect(generated.text).toBe('It is sunny in Paris.');
  });

  it('generates text with a tool loop (generateText) against NIM’s numeric ids', async () => {
    nimWithNumericIds();
    const result = await generateText({ model: model(), prompt: 'Weather in Paris?', tools: { get_weather: weather() }, stopWhen: stepCountIs(3), maxRetries: 0 });
    expect(result.text).toBe('It is sunny in Paris.');
    expect(result.steps[0]!.toolCalls[0]).toMatchObject({ toolName: 'get_weather', input: CITY });
  });

  it("streams with usage when NIM's usage frame has no choices key (the SDK's chunk schema requires one)", async () => {
    harness.mock.setScenario({ stream: { usage: 'final-no-choices' }, content: 'Hello from NIM.' });
    const result = streamText({ model: model(), prompt: 'Hello', maxRetries: 0 });
    expect(await result.text).toBe('Hello from NIM.');
    expect(await result.finishReason).toBe('stop');
    expect((await result.usage).totalTokens).toBeGreaterThan(0);
  });

  it('takes the response id and model from a keep-alive that came first, and NIM’s chunks agree with it', async () => {
    harness.mock.setScenario({ timing: { firstByteDelayMs: 500 }, stream: { idStyle: 'number' } });
    const result = streamText({ model: model(), prompt: 'Hello', maxRetries: 0 });
    expect(await result.text).not.toBe('');
    const response = await result.response;
    expect(response.id).toMatch(/^chatcmpl-/);
    expect(response.modelId).toBe(MODEL);
  });
});

describe.skipIf(NODE_MAJOR < 22)('LangChain (ChatOpenAI from @langchain/openai)', () => {
  const chat = () => new ChatOpenAI({ model: `nvidia:${MODEL}`, apiKey: harness.proxyKey, configuration: { baseURL: harness.baseURL }, maxRetries: 0 });
  const weather = () =>
    langchainTool(({ city }: { city: string }) => `sunny in ${city}`, {
      name: 'get_weather',
      description: 'The weather in a city',
      schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    });

  it('answers, streams, and calls a tool against NIM’s numeric ids', async () => {
    harness.mock.setScenario({ stream: { idStyle: 'number' }, content: 'Hello from NIM.' });
    expect((await chat().invoke('Hi')).content).toBe('Hello from NIM.');
    let streamed = '';
    for await (const chunk of await chat().stream('Hi')) streamed += typeof chunk.content === 'string' ? chunk.content : '';
    expect(streamed).toBe('Hello from NIM.');

    nimWithNumericIds();
    const withTools = chat().bindTools([weather()]);
    const called = await withTools.invoke('Weather in Paris?');
    expect(called.tool_calls?.[0]).toMatchObject({ name: 'get_weather', args: CITY, id: expect.stringMatching(/^call_/) });
    let streamedCall: { name?: string; args?: unknown; id?: string } | undefined;
    for await (const chunk of await withTools.stream('Weather in Paris?')) streamedCall = chunk.tool_call_chunks?.[0]?.id ? { ...chunk.tool_call_chunks[0], args: undefined } : streamedCall;
    expect(streamedCall?.id).toMatch(/^call_/);
  });

  it('embeds documents and a query through /v1/embeddings (an asymmetric NIM model: input_type added)', async () => {
    const embeddings = new OpenAIEmbeddings({ model: 'nvidia:nvidia/nv-embedqa-e5-v5', apiKey: harness.proxyKey, configuration: { baseURL: harness.baseURL }, maxRetries: 0 });
    const documents = await embeddings.embedDocuments(['first document', 'second document']);
    expect(documents).toEqual([vectorFor('"first document"', 'query', 16), vectorFor('"second document"', 'query', 16)]);
    expect(await embeddings.embedQuery('a question')).toEqual(vectorFor('"a question"', 'query', 16));
  });
});

describe.skipIf(NODE_MAJOR < 22)('the newest openai SDK (openai 7)', () => {
  const client = () => new OpenAINext({ baseURL: harness.baseURL, apiKey: harness.proxyKey, maxRetries: 0 });

  it('answers and streams through the proxy, ids as strings', async () => {
    nimWithNumericIds();
    const tools = [{ type: 'function' as const, function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }];
    const completion = await client().chat.completions.create({ model: `nvidia:${MODEL}`, messages: [{ role: 'user', content: 'Weather?' }], tools, store: false });
    expect(completion.id).toMatch(/^chatcmpl-/);
    const call = completion.choices[0]!.message.tool_calls?.[0];
    expect(call?.id).toMatch(/^call_/);

    const stream = client().chat.completions.stream({ model: `nvidia:${MODEL}`, messages: [{ role: 'user', content: 'Weather?' }], tools, stream_options: { include_usage: true } });
    const final = await stream.finalChatCompletion();
    expect(final.choices[0]!.message.tool_calls?.[0]).toMatchObject({ id: expect.stringMatching(/^call_/), function: { name: 'get_weather' } });
    expect(final.usage?.total_tokens).toBeGreaterThan(0);
  });

  it('embeds through /v1/embeddings, its default base64 decoded to the numbers NIM sent', async () => {
    const answer = await client().embeddings.create({ model: 'nvidia:baai/bge-m3', input: ['alpha', 'beta'] });
    expect(answer.data.map((item) => item.embedding)).toEqual([vectorFor('"alpha"', '', 16), vectorFor('"beta"', '', 16)]);
    expect(answer.usage.prompt_tokens).toBe(2);
  });
});
