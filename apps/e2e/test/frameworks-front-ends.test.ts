import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import { HumanMessage, type AIMessage, type AIMessageChunk, type BaseMessage, type ToolCall, type ToolMessage } from '@langchain/core/messages';
import { tool as langchainTool } from '@langchain/core/tools';
import { ChatAnthropic } from '@langchain/anthropic';
import { ChatOpenAI } from '@langchain/openai';
import { DEFAULT_MODELS, expectedCompletion } from '@proxy/testkit';
import { startProxyHarness, type ProxyHarness } from '@proxy/testkit/harness';
import { APICallError, generateObject, generateText, jsonSchema, Output, stepCountIs, streamText, tool, type JSONSchema7, type JSONValue, type LanguageModel, type ModelMessage } from 'ai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chatRequestsOf, expectNoKeys, expectWeatherRoundTrip, nimRefusesQuoting, rejection, type ChatBody } from './support/nim-checks.js';

// The agent frameworks' own providers for the two translating front ends — the AI SDK's @ai-sdk/anthropic and
// @ai-sdk/openai (Responses), LangChain's ChatAnthropic and ChatOpenAI with useResponsesApi — through the real
// proxy to the listening mock NIM. Each test checks what NIM received as well as what the framework made of the
// answer: a framework can parse a wrong translation without complaint. The AI SDK 7 and LangChain 1 need
// Node >= 22: this file runs in CI's Node 24 pass.
const NODE_MAJOR = Number(process.versions.node.split('.')[0]);
const MODEL = 'meta/llama3-70b-instruct';
const REASONER = 'deepseek-ai/deepseek-r1';
/** A model that writes its reasoning into the content, between <think> tags. */
const THINK_TAGS = 'qwen/qwq-32b';
/** A DeepSeek-V4-style model: NIM refuses a tool-loop turn whose assistant message lost its reasoning_content. */
const REPLAYER = 'deepseek-ai/deepseek-v4-flash';
/** Distinctive keys, so that an error that quotes either is caught. */
const UPSTREAM_KEY = 'nvapi-upstream-secret-7f3a9c2e41';
const PROXY_KEY = 'sk-proxy-secret-b81d60e5a9';
const CITY = { city: 'Paris' };
const OTHER_CITY = { city: 'Rome' };
const PLACE = { name: 'Eiffel Tower', height: 330 };
const PLACE_SCHEMA: JSONSchema7 = {
  type: 'object',
  properties: { name: { type: 'string' }, height: { type: 'number' } },
  required: ['name', 'height'],
  additionalProperties: false,
};

let harness: ProxyHarness;
beforeAll(async () => {
  if (NODE_MAJOR < 22) return;
  harness = await startProxyHarness({
    proxyKey: PROXY_KEY,
    mock: { apiKey: UPSTREAM_KEY, models: [...DEFAULT_MODELS, { id: REPLAYER, reasoning: 'reasoning_content', reasoningReplay: true }] },
    config: {
      // No proxy retries: a 429 must reach the client as it came, not after the proxy's back-off.
      failure_handling: { keepalive_interval: 0.2, max_retries: 0 },
      model_settings: { [`nvidia:${REPLAYER}`]: { replay_reasoning: true } },
    },
  });
});
afterEach(() => harness?.mock.reset());
afterAll(async () => {
  await harness?.close();
});

const chatRequests = () => chatRequestsOf(harness.mock);

/** NIM calls get_weather with its numeric ids (the proxy must make strings of them), then answers the result. */
const weatherScenario = () =>
  harness.mock.setScenario({ stream: { idStyle: 'number' }, toolCall: { name: 'get_weather', arguments: CITY }, finalAnswer: 'It is sunny in Paris.' });

/** NIM calls get_weather for two cities at once, numeric ids again. */
const parallelWeatherScenario = () =>
  harness.mock.setScenario({
    stream: { idStyle: 'number' },
    toolCalls: [
      { name: 'get_weather', arguments: CITY },
      { name: 'get_weather', arguments: OTHER_CITY },
    ],
    finalAnswer: 'Sunny in both.',
  });

const expectToolRoundTrip = (callIds: string | string[], streamed: boolean, cities = [CITY]) =>
  expectWeatherRoundTrip(chatRequests(), typeof callIds === 'string' ? [callIds] : callIds, streamed, cities);

const nimRefusesEchoingKeys = () => nimRefusesQuoting(harness.mock, { upstream: UPSTREAM_KEY, proxy: PROXY_KEY });

const expectNoSecrets = (text: string) => expectNoKeys(text, [UPSTREAM_KEY, PROXY_KEY]);

// ---------------------------------------------------------------------------------------------------------------
// The Vercel AI SDK

const weatherTool = () =>
  tool({
    description: 'The weather in a city',
    inputSchema: jsonSchema<{ city: string }>({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }),
    execute: ({ city }) => Promise.resolve(`sunny in ${city}`),
  });

type ProviderOptions = Record<string, Record<string, JSONValue>>;

interface AiSdkClient {
  frontEnd: string;
  model: (id: string) => LanguageModel;
  /** What every call passes the provider (the Responses provider must be told not to rely on stored items). */
  providerOptions: ProviderOptions;
  /** What a call to a reasoning model passes it, so that its reasoning comes back on the next step. */
  reasoningProviderOptions: ProviderOptions;
  /** The ways this provider asks for structured output, and how each must reach NIM. */
  structured: { how: string; providerOptions: ProviderOptions; scenario: Record<string, unknown>; reachedNim: (body: ChatBody) => void }[];
  expectApiError: (error: unknown, status: number) => APICallError;
}

function describeAiSdk(client: AiSdkClient) {
  const { model, providerOptions } = client;
  describe.skipIf(NODE_MAJOR < 22)(`the AI SDK through ${client.frontEnd}`, () => {
    it('runs a multi-step tool loop, streamed (streamText)', async () => {
      weatherScenario();
      const result = streamText({ model: model(MODEL), prompt: 'Weather in Paris?', tools: { get_weather: weatherTool() }, stopWhen: stepCountIs(3), maxRetries: 0, providerOptions });
      expect(await result.text).toBe('It is sunny in Paris.');
      const steps = await result.steps;
      expect(steps).toHaveLength(2);
      const [call] = steps[0]!.toolCalls;
      expect(call).toMatchObject({ toolName: 'get_weather', input: CITY });
      expect(typeof call!.toolCallId).toBe('string');
      expect(steps[0]!.toolResults[0]).toMatchObject({ toolCallId: call!.toolCallId, output: 'sunny in Paris' });
      expect(steps[0]!.finishReason).toBe('tool-calls');
      expect(steps[1]!.finishReason).toBe('stop');
      expectToolRoundTrip(call!.toolCallId, true);
    });

    it('runs a multi-step tool loop, not streamed (generateText)', async () => {
      weatherScenario();
      const result = await generateText({ model: model(MODEL), prompt: 'Weather in Paris?', tools: { get_weather: weatherTool() }, stopWhen: stepCountIs(3), maxRetries: 0, providerOptions });
      expect(result.text).toBe('It is sunny in Paris.');
      expect(result.steps).toHaveLength(2);
      const [call] = result.steps[0]!.toolCalls;
      expect(call).toMatchObject({ toolName: 'get_weather', input: CITY });
      expect(result.steps[0]!.toolResults[0]).toMatchObject({ toolCallId: call!.toolCallId, output: 'sunny in Paris' });
      expectToolRoundTrip(call!.toolCallId, false);
    });

    it('runs parallel tool calls, streamed, each result under its own call’s id', async () => {
      parallelWeatherScenario();
      const result = streamText({ model: model(MODEL), prompt: 'Weather in Paris and Rome?', tools: { get_weather: weatherTool() }, stopWhen: stepCountIs(3), maxRetries: 0, providerOptions });
      expect(await result.text).toBe('Sunny in both.');
      const [step] = await result.steps;
      expect(step!.toolCalls.map((call) => call.input)).toEqual([CITY, OTHER_CITY]);
      expect(step!.toolResults.map((result) => [result.toolCallId, result.output])).toEqual(step!.toolCalls.map((call, index) => [call.toolCallId, `sunny in ${[CITY, OTHER_CITY][index]!.city}`]));
      expectToolRoundTrip(step!.toolCalls.map((call) => call.toolCallId), true, [CITY, OTHER_CITY]);
    });

    it('continues a conversation from the response messages of an earlier turn', async () => {
      const messages: ModelMessage[] = [{ role: 'user', content: 'Hello' }];
      const first = await generateText({ model: model(MODEL), messages, maxRetries: 0, providerOptions });
      messages.push(...first.response.messages, { role: 'user', content: 'And again' });
      const second = await generateText({ model: model(MODEL), messages, maxRetries: 0, providerOptions });
      expect(second.text).toBe('You said: And again');
      expect(chatRequests()[1]!.messages).toEqual([
        { role: 'user', content: 'Hello' },
        { role: 'assistant', content: 'You said: Hello' },
        { role: 'user', content: 'And again' },
      ]);
    });

    for (const mode of client.structured) {
      it(`generates structured output (Output.object, streamed and not, and generateObject): ${mode.how}`, async () => {
        const options = { maxRetries: 0, providerOptions: { ...providerOptions, ...mode.providerOptions } };
        const prompt = 'The tallest tower in Paris';
        harness.mock.setScenario(mode.scenario);
        const generated = await generateText({ model: model(MODEL), prompt, output: Output.object({ schema: jsonSchema<typeof PLACE>(PLACE_SCHEMA) }), ...options });
        expect(generated.output).toEqual(PLACE);
        const streamed = streamText({ model: model(MODEL), prompt, output: Output.object({ schema: jsonSchema<typeof PLACE>(PLACE_SCHEMA) }), ...options });
        expect(await streamed.output).toEqual(PLACE);
        const object = await generateObject({ model: model(MODEL), prompt, schema: jsonSchema<typeof PLACE>(PLACE_SCHEMA), ...options });
        expect(object.object).toEqual(PLACE);
        const sent = chatRequests();
        expect(sent.map((body) => body.stream)).toEqual([false, true, false]);
        for (const body of sent) mode.reachedNim(body);
      });
    }

    for (const reasoner of [REASONER, THINK_TAGS]) {
      it(`carries ${reasoner}'s reasoning to reasoningText, streamed and not, with NIM's usage`, async () => {
        const prompt = 'Why is the sky blue?';
        const generated = await generateText({ model: model(reasoner), prompt, maxRetries: 0, providerOptions });
        expect(generated.reasoningText).toBe(`Thinking about: ${prompt}`);
        expect(generated.text).toBe(`You said: ${prompt}`);
        expect(generated.reasoning.map((part) => part.type)).toEqual(['reasoning']);

        const streamed = streamText({ model: model(reasoner), prompt, maxRetries: 0, providerOptions });
        expect(await streamed.reasoningText).toBe(`Thinking about: ${prompt}`);
        expect(await streamed.text).toBe(`You said: ${prompt}`);
        const sent = chatRequests();
        expect(sent.map((body) => [body.model, body.stream])).toEqual([
          [reasoner, false],
          [reasoner, true],
        ]);
        const nimUsage = expectedCompletion(sent[0]! as never).usage;
        expect(generated.usage).toMatchObject({ inputTokens: nimUsage.prompt_tokens, outputTokens: nimUsage.completion_tokens });
      });
    }

    it('gives a model that must see its reasoning again (replay_reasoning) its reasoning_content in a tool loop', async () => {
      weatherScenario();
      const result = await generateText({
        model: model(REPLAYER),
        prompt: 'Weather in Paris?',
        tools: { get_weather: weatherTool() },
        stopWhen: stepCountIs(3),
        maxRetries: 0,
        providerOptions: client.reasoningProviderOptions,
      });
      expect(result.steps[0]!.reasoningText).toBe('Thinking about: Weather in Paris?');
      expect(result.text).toBe('It is sunny in Paris.');
      expectToolRoundTrip(result.steps[0]!.toolCalls[0]!.toolCallId, false);
      const assistant = chatRequests()[1]!.messages.find((message) => message.role === 'assistant');
      expect(assistant).toMatchObject({ reasoning_content: 'Thinking about: Weather in Paris?' });
    });

    it('throws its APICallError with the status for NIM’s 429 and 400, no key in it', async () => {
      harness.mock.failNext({ type: 'http-error', status: 429 });
      client.expectApiError(await rejection(generateText({ model: model(MODEL), prompt: 'Hi', maxRetries: 0, providerOptions })), 429);

      nimRefusesEchoingKeys();
      const refused = client.expectApiError(await rejection(generateText({ model: model(MODEL), prompt: 'Hi', maxRetries: 0, providerOptions })), 400);
      expect(refused.message).toContain('temperature out of range');
      expectNoSecrets(`${refused.message}\n${refused.responseBody ?? ''}`);

      // Streamed: the error arrives before the stream starts, so it keeps its status.
      nimRefusesEchoingKeys();
      let streamError: unknown;
      const streamed = streamText({ model: model(MODEL), prompt: 'Hi', maxRetries: 0, providerOptions, onError: ({ error }) => void (streamError = error) });
      await streamed.consumeStream();
      const streamedError = client.expectApiError(streamError, 400);
      expectNoSecrets(`${streamedError.message}\n${streamedError.responseBody ?? ''}`);
    });

    it('fails a stream NIM broke off with an error, rather than finishing it as if complete', async () => {
      harness.mock.failNext({ type: 'stream-error', afterChunks: 3, message: 'CUDA out of memory' });
      let streamError: unknown;
      const streamed = streamText({ model: model(MODEL), prompt: 'Tell me a long story', maxRetries: 0, providerOptions, onError: ({ error }) => void (streamError = error) });
      await streamed.consumeStream();
      expect(streamError).toBeDefined();
      expect(JSON.stringify(streamError) + String(streamError)).toContain('CUDA out of memory');
      expect(await streamed.finishReason).not.toBe('stop');
    });
  });
}

/** The schema reached NIM as response_format json_schema, so NIM constrains the answer to it. */
const constrainedByResponseFormat = (body: ChatBody) => {
  expect(body.response_format).toMatchObject({ type: 'json_schema', json_schema: { schema: { type: 'object', properties: PLACE_SCHEMA.properties } } });
  expect(body.tools).toBeUndefined();
};
/** The schema reached NIM as the one tool it must call: named, or `required` (Anthropic's `any`) with no other. */
const constrainedByForcedTool = (name: string) => (body: ChatBody) => {
  expect(body.tools?.map((offered) => offered.function.name)).toEqual([name]);
  expect(body.tools?.[0]?.function.parameters).toMatchObject({ type: 'object', properties: PLACE_SCHEMA.properties });
  expect([{ type: 'function', function: { name } }, 'required']).toContainEqual(body.tool_choice);
  expect(body.response_format).toBeUndefined();
};
const answerAsText = { content: JSON.stringify(PLACE) };
const answerByCalling = (name: string) => ({ toolCall: { name, arguments: PLACE } });

describeAiSdk({
  frontEnd: 'the Anthropic Messages front end (@ai-sdk/anthropic)',
  model: (id) => createAnthropic({ baseURL: harness.baseURL, apiKey: harness.proxyKey })(`nvidia:${id}`),
  providerOptions: {},
  reasoningProviderOptions: {},
  structured: [
    // For a model it does not know, the provider's default is its forced `json` tool.
    { how: 'a forced json tool (the default for a model the provider does not know)', providerOptions: {}, scenario: answerByCalling('json'), reachedNim: constrainedByForcedTool('json') },
    { how: "output_config.format (structuredOutputMode 'outputFormat')", providerOptions: { anthropic: { structuredOutputMode: 'outputFormat' } }, scenario: answerAsText, reachedNim: constrainedByResponseFormat },
  ],
  expectApiError: (error, status) => {
    expect(APICallError.isInstance(error)).toBe(true);
    const apiError = error as APICallError;
    expect(apiError.statusCode).toBe(status);
    expect(JSON.parse(apiError.responseBody ?? '{}')).toMatchObject({ type: 'error', error: { type: status === 429 ? 'rate_limit_error' : 'invalid_request_error' } });
    return apiError;
  },
});

describeAiSdk({
  frontEnd: 'the OpenAI Responses front end (@ai-sdk/openai)',
  model: (id) => createOpenAI({ baseURL: harness.baseURL, apiKey: harness.proxyKey }).responses(`nvidia:${id}`),
  // The provider defaults to store: true and then sends earlier output as item_reference, which a proxy that
  // stores nothing cannot resolve (see the test below): docs/clients/codex.md tells its users to set this.
  providerOptions: { openai: { store: false } },
  // With store: false the provider sends back only reasoning that carries encrypted_content, which it asks for
  // (include: reasoning.encrypted_content) only for a model it takes for a reasoning model.
  reasoningProviderOptions: { openai: { store: false, forceReasoning: true } },
  structured: [{ how: 'text.format json_schema', providerOptions: {}, scenario: answerAsText, reachedNim: constrainedByResponseFormat }],
  expectApiError: (error, status) => {
    expect(APICallError.isInstance(error)).toBe(true);
    const apiError = error as APICallError;
    expect(apiError.statusCode).toBe(status);
    expect(JSON.parse(apiError.responseBody ?? '{}')).toMatchObject({ error: { type: status === 429 ? 'rate_limit_error' : 'invalid_request_error' } });
    return apiError;
  },
});

describe.skipIf(NODE_MAJOR < 22)('the AI SDK through the OpenAI Responses front end with the provider’s default store: true', () => {
  it('refuses the item_reference of a second turn with a 400 that says to set store: false, NIM not called', async () => {
    const model = createOpenAI({ baseURL: harness.baseURL, apiKey: harness.proxyKey }).responses(`nvidia:${MODEL}`);
    const messages: ModelMessage[] = [{ role: 'user', content: 'Hello' }];
    const first = await generateText({ model, messages, maxRetries: 0 });
    messages.push(...first.response.messages, { role: 'user', content: 'And again' });
    const error = await rejection(generateText({ model, messages, maxRetries: 0 }));
    expect(APICallError.isInstance(error)).toBe(true);
    expect((error as APICallError).statusCode).toBe(400);
    expect((error as APICallError).message).toContain('store: false');
    expect(chatRequests()).toHaveLength(1);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// LangChain

const weatherForBinding = () =>
  langchainTool(({ city }: { city: string }) => `sunny in ${city}`, {
    name: 'get_weather',
    description: 'The weather in a city',
    schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  });
/** A tool run on the model's call answers with the ToolMessage to send back (its JSON-schema typing is a union). */
const runWeather = (call: ToolCall) => (weatherForBinding() as unknown as { invoke(call: ToolCall): Promise<ToolMessage> }).invoke(call);

interface LangChainModel {
  invoke(messages: BaseMessage[] | string): Promise<AIMessage>;
  stream(messages: BaseMessage[] | string): Promise<AsyncIterable<AIMessageChunk>>;
}

async function ask(model: LangChainModel, messages: BaseMessage[] | string, streamed: boolean): Promise<AIMessage> {
  if (!streamed) return model.invoke(messages);
  let whole: AIMessageChunk | undefined;
  for await (const chunk of await model.stream(messages)) whole = whole ? whole.concat(chunk) : chunk;
  return whole!;
}

/** LangChain's own loop: ask, run the tool call the model made, send its result back, ask again. */
async function langchainToolLoop(model: LangChainModel, streamed: boolean, cities = [CITY], finalAnswer = 'It is sunny in Paris.') {
  const messages: BaseMessage[] = [new HumanMessage(`Weather in ${cities.map((city) => city.city).join(' and ')}?`)];
  const called = await ask(model, messages, streamed);
  const calls = called.tool_calls ?? [];
  expect(calls.map((call) => [call.name, call.args])).toEqual(cities.map((city) => ['get_weather', city]));
  for (const call of calls) expect(typeof call.id).toBe('string');
  const results = await Promise.all(calls.map((call) => runWeather(call)));
  expect(results.map((result) => result.tool_call_id)).toEqual(calls.map((call) => call.id));
  messages.push(called, ...results);
  const answered = await ask(model, messages, streamed);
  expect(answered.text).toBe(finalAnswer);
  expect(answered.tool_calls ?? []).toEqual([]);
  expectToolRoundTrip(calls.map((call) => call.id!), streamed, cities);
  return called;
}

function reasoningOf(message: AIMessage): string {
  return message.contentBlocks
    .filter((block) => block.type === 'reasoning')
    .map((block) => (block as { reasoning: string }).reasoning)
    .join('');
}

type LangChainError = Error & { status?: number; error?: unknown };

interface LangChainClient {
  frontEnd: string;
  chat: (id: string, options?: { thinking?: boolean }) => ChatAnthropic | ChatOpenAI;
  /** withStructuredOutput's methods, its default first, and how each must reach NIM. */
  structured: { method: 'functionCalling' | 'jsonSchema'; scenario: Record<string, unknown>; reachedNim: (body: ChatBody) => void }[];
  errorType: (status: number) => string;
  /**
   * Whether the client turns a stream the proxy ended with its front end's failure event into an error.
   * ChatOpenAI 1.6.0 does not: its Responses converter ignores `response.failed` (OpenAI's own failure event, which
   * Codex retries on), so such a stream ends as a short answer, without usage — its test is marked as failing,
   * to be noticed when LangChain reads the event.
   */
  failsBrokenStreams: boolean;
}

function describeLangChain(client: LangChainClient) {
  const { chat } = client;
  const withTools = (id: string, options?: { thinking?: boolean }) => chat(id, options).bindTools([weatherForBinding()]) as unknown as LangChainModel;
  describe.skipIf(NODE_MAJOR < 22)(`LangChain through ${client.frontEnd}`, () => {
    it('runs a multi-step tool loop, not streamed (invoke)', async () => {
      weatherScenario();
      await langchainToolLoop(withTools(MODEL), false);
    });

    it('runs a multi-step tool loop, streamed (stream, chunks concatenated)', async () => {
      weatherScenario();
      await langchainToolLoop(withTools(MODEL), true);
    });

    it('runs parallel tool calls, streamed, each result under its own call’s id', async () => {
      parallelWeatherScenario();
      await langchainToolLoop(withTools(MODEL), true, [CITY, OTHER_CITY], 'Sunny in both.');
    });

    it('continues a conversation holding its earlier answer', async () => {
      const messages: BaseMessage[] = [new HumanMessage('Hello')];
      messages.push(await chat(MODEL).invoke(messages), new HumanMessage('And again'));
      expect((await chat(MODEL).invoke(messages)).text).toBe('You said: And again');
      expect(chatRequests()[1]!.messages).toEqual([
        { role: 'user', content: 'Hello' },
        { role: 'assistant', content: 'You said: Hello' },
        { role: 'user', content: 'And again' },
      ]);
    });

    for (const [index, mode] of client.structured.entries()) {
      it(`parses structured output (withStructuredOutput, ${index === 0 ? 'its default, ' : ''}method ${mode.method})`, async () => {
        harness.mock.setScenario(mode.scenario);
        const options = index === 0 ? { name: 'place' } : { name: 'place', method: mode.method };
        expect(await chat(MODEL).withStructuredOutput(PLACE_SCHEMA, options).invoke('The tallest tower in Paris')).toEqual(PLACE);
        const [sent, ...more] = chatRequests();
        expect(more).toEqual([]);
        mode.reachedNim(sent!);
      });
    }

    for (const reasoner of [REASONER, THINK_TAGS]) {
      it(`carries ${reasoner}'s reasoning to reasoning content blocks, streamed and not, with NIM's usage`, async () => {
        const prompt = 'Why is the sky blue?';
        const answers: AIMessage[] = [];
        for (const streamed of [false, true]) {
          const answered = await ask(chat(reasoner, { thinking: true }), prompt, streamed);
          expect(reasoningOf(answered)).toBe(`Thinking about: ${prompt}`);
          expect(answered.text).toBe(`You said: ${prompt}`);
          answers.push(answered);
        }
        const sent = chatRequests();
        expect(sent.map((body) => [body.model, body.stream])).toEqual([
          [reasoner, false],
          [reasoner, true],
        ]);
        const nimUsage = expectedCompletion(sent[0]! as never).usage;
        expect(answers[0]!.usage_metadata).toMatchObject({ input_tokens: nimUsage.prompt_tokens, output_tokens: nimUsage.completion_tokens });
      });
    }

    it('gives a model that must see its reasoning again (replay_reasoning) its reasoning_content in a tool loop, streamed and not', async () => {
      for (const streamed of [false, true]) {
        harness.mock.reset();
        weatherScenario();
        const called = await langchainToolLoop(withTools(REPLAYER, { thinking: true }), streamed);
        expect(reasoningOf(called)).toBe('Thinking about: Weather in Paris?');
        const assistant = chatRequests()[1]!.messages.find((message) => message.role === 'assistant');
        expect(assistant).toMatchObject({ reasoning_content: 'Thinking about: Weather in Paris?' });
      }
    });

    it('throws the SDK’s API error with the status for NIM’s 429 and 400, no key in it', async () => {
      harness.mock.failNext({ type: 'http-error', status: 429 });
      const limited = (await rejection(chat(MODEL).invoke('Hi'))) as LangChainError;
      expect(limited.status).toBe(429);
      expect(JSON.stringify(limited.error)).toContain(client.errorType(429));

      nimRefusesEchoingKeys();
      const refused = (await rejection(chat(MODEL).invoke('Hi'))) as LangChainError;
      expect(refused.status).toBe(400);
      expect(JSON.stringify(refused.error)).toContain(client.errorType(400));
      expect(refused.message).toContain('temperature out of range');
      expectNoSecrets(`${refused.message}\n${JSON.stringify(refused.error)}`);

      nimRefusesEchoingKeys();
      const streamed = (await rejection(ask(chat(MODEL), 'Hi', true))) as LangChainError;
      expect(streamed.status).toBe(400);
      expect(streamed.message).toContain('temperature out of range');
      expectNoSecrets(`${streamed.message}\n${JSON.stringify(streamed.error)}`);
    });

    (client.failsBrokenStreams ? it : it.fails)('fails a stream NIM broke off with an error, rather than finishing it as if complete', async () => {
      harness.mock.failNext({ type: 'stream-error', afterChunks: 3, message: 'CUDA out of memory' });
      const broken = (await rejection(ask(chat(MODEL), 'Tell me a long story', true))) as LangChainError;
      expect(`${broken.message} ${JSON.stringify(broken.error)}`).toContain('CUDA out of memory');
    });
  });
}

describeLangChain({
  frontEnd: 'the Anthropic Messages front end (ChatAnthropic)',
  chat: (id, options) =>
    new ChatAnthropic({
      model: `nvidia:${id}`,
      apiKey: harness.proxyKey,
      anthropicApiUrl: harness.proxyUrl,
      maxRetries: 0,
      maxTokens: 1024,
      ...(options?.thinking ? { thinking: { type: 'enabled', budget_tokens: 512 } } : {}),
    }),
  structured: [
    { method: 'functionCalling', scenario: answerByCalling('place'), reachedNim: constrainedByForcedTool('place') },
    { method: 'jsonSchema', scenario: answerAsText, reachedNim: constrainedByResponseFormat },
  ],
  errorType: (status) => (status === 429 ? 'rate_limit_error' : 'invalid_request_error'),
  failsBrokenStreams: true,
});

describeLangChain({
  frontEnd: 'the OpenAI Responses front end (ChatOpenAI, useResponsesApi)',
  chat: (id, options) =>
    new ChatOpenAI({
      model: `nvidia:${id}`,
      apiKey: harness.proxyKey,
      configuration: { baseURL: harness.baseURL },
      useResponsesApi: true,
      maxRetries: 0,
      ...(options?.thinking ? { reasoning: { effort: 'medium', summary: 'auto' } } : {}),
    }),
  structured: [
    { method: 'jsonSchema', scenario: answerAsText, reachedNim: constrainedByResponseFormat },
    { method: 'functionCalling', scenario: answerByCalling('place'), reachedNim: constrainedByForcedTool('place') },
  ],
  errorType: (status) => (status === 429 ? 'rate_limit_error' : 'invalid_request_error'),
  failsBrokenStreams: false,
});
