import { ProxyError, type ChatStreamEvent, type ChatStreamRead } from '@proxy/core';
import { sendJson, sendSse, startRecordingUpstream, type RecordingHandler, type RecordingUpstream } from '@proxy/testkit/recording-upstream';
import { MockAgent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { NVIDIA_DEFAULT_BASE_URL } from './constants.js';
import { NvidiaConnector, type NvidiaConnectorSettings } from './nvidia-connector.js';
import { completion, modelList, userMessage } from './test-support/fixtures.js';

const closers: (() => Promise<void>)[] = [];

afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function upstream(handler: RecordingHandler): Promise<RecordingUpstream> {
  const server = await startRecordingUpstream(handler);
  closers.push(() => server.close());
  return server;
}

function connectTo(server: RecordingUpstream, settings: NvidiaConnectorSettings = {}): NvidiaConnector {
  const connector = new NvidiaConnector({
    baseURL: server.url,
    apiKey: 'nvapi-test',
    env: {},
    healthCheck: false,
    keepAliveTimeoutMs: 10,
    ...settings,
  });
  closers.push(() => connector.close());
  return connector;
}

/** Answers `GET /models` with the catalog and chat with a completion (or an SSE stream when asked). */
const nim: RecordingHandler = (request, response) => {
  if (request.url.endsWith('/models')) return sendJson(response, 200, modelList);
  if (JSON.parse(request.body).stream) return sendSse(response, [{ id: 'c', choices: [{ index: 0, delta: { content: 'Hi' } }] }]);
  return sendJson(response, 200, completion);
};

async function collect(stream: AsyncIterable<ChatStreamRead>): Promise<ChatStreamEvent[]> {
  const events: ChatStreamEvent[] = [];
  for await (const read of stream) events.push(...read.events);
  return events;
}

async function rejection(promise: Promise<unknown>): Promise<ProxyError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!ProxyError.isInstance(error)) throw new Error(`expected a ProxyError, got ${String(error)}`);
  return error;
}

describe('NvidiaConnector outbound requests', () => {
  it('posts the NIM-shaped body over HTTP/1.1 with the key as a bearer token', async () => {
    const server = await upstream(nim);
    const connector = connectTo(server);
    await connector.chatCompletion({
      model: 'meta/llama3-70b',
      messages: userMessage,
      max_completion_tokens: 64,
      stream_options: { include_usage: true },
      temperature: 0.3,
      nvext: { top_k: 4 },
    });
    const [request] = server.requests;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/v1/chat/completions');
    expect(request?.httpVersion).toBe('1.1');
    expect(request?.headers.authorization).toBe('Bearer nvapi-test');
    expect(request?.headers['user-agent']).toMatch(/proxy-nvidia\//);
    expect(JSON.parse(request?.body ?? '')).toEqual({
      model: 'meta/llama3-70b',
      messages: userMessage,
      stream: false,
      max_tokens: 64,
      temperature: 0.3,
      nvext: { top_k: 4 },
    });
  });

  it('never sends stream_options on a streaming request', async () => {
    const server = await upstream(nim);
    const connector = connectTo(server);
    const stream = await connector.streamChatCompletion({
      model: 'meta/llama3-70b',
      messages: userMessage,
      stream_options: { include_usage: true },
    });
    await collect(stream);
    const [request] = server.requests;
    expect(request?.headers.accept).toBe('text/event-stream');
    // No limit asked: NIM's own default is low, so the connector's is sent (see NVIDIA_DEFAULT_MAX_TOKENS).
    expect(JSON.parse(request?.body ?? '')).toEqual({ model: 'meta/llama3-70b', messages: userMessage, stream: true, max_tokens: 16384 });
  });

  it('calls the hosted integrator by default', async () => {
    const agent = new MockAgent();
    agent.disableNetConnect();
    closers.push(() => agent.close());
    agent
      .get('https://integrate.api.nvidia.com')
      .intercept({ path: '/v1/chat/completions', method: 'POST', headers: { authorization: 'Bearer nvapi-test' } })
      .reply(200, completion, { headers: { 'content-type': 'application/json' } });
    const connector = new NvidiaConnector({ apiKey: 'nvapi-test', env: {}, healthCheck: false, dispatcher: agent });
    closers.push(() => connector.close());
    expect(connector.baseURL).toBe(NVIDIA_DEFAULT_BASE_URL);
    const result = await connector.chatCompletion({ model: 'meta/llama3-70b', messages: userMessage });
    expect(result.body.choices).toHaveLength(1);
    agent.assertNoPendingInterceptors();
  });

  it('reuses one keep-alive connection for sequential requests', async () => {
    const server = await upstream(nim);
    // One connection per origin, so the second request must wait for the first socket to be kept alive and reused.
    const connector = connectTo(server, { connections: 1 });
    await connector.chatCompletion({ model: 'meta/llama3-70b', messages: userMessage });
    await connector.chatCompletion({ model: 'meta/llama3-70b', messages: userMessage });
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1]?.socketId).toBe(server.requests[0]?.socketId);
  });
});

describe('NvidiaConnector API key', () => {
  it('uses NVIDIA_API_KEY from the environment when no key is passed', async () => {
    const server = await upstream(nim);
    const connector = connectTo(server, { apiKey: '  ', env: { NVIDIA_API_KEY: 'Bearer nvapi-env\n' } });
    await connector.chatCompletion({ model: 'meta/llama3-70b', messages: userMessage });
    expect(server.requests[0]?.headers.authorization).toBe('Bearer nvapi-env');
  });

  it('prefers the key passed at initialisation over NVIDIA_API_KEY', async () => {
    const server = await upstream(nim);
    const connector = connectTo(server, { apiKey: 'bearer nvapi-yaml', env: { NVIDIA_API_KEY: 'nvapi-env' } });
    await connector.chatCompletion({ model: 'meta/llama3-70b', messages: userMessage });
    expect(server.requests[0]?.headers.authorization).toBe('Bearer nvapi-yaml');
  });

  it('answers a chat request without a key with an error naming NVIDIA_API_KEY, without calling NVIDIA', async () => {
    const server = await upstream(nim);
    const connector = connectTo(server, { apiKey: undefined, healthCheck: true });
    for (const call of [
      connector.chatCompletion({ model: 'meta/llama3-70b', messages: userMessage }),
      connector.streamChatCompletion({ model: 'meta/llama3-70b', messages: userMessage }),
    ]) {
      const error = await rejection(call);
      expect(error.status).toBe(503);
      expect(error.code).toBe('upstream_api_key_missing');
      expect(error.toBody().error.message).toMatch(/no NVIDIA API key.*NVIDIA_API_KEY/);
      // Only a restart with a key fixes it: the openai and Anthropic SDKs must not retry the 503.
      expect(error.headers).toEqual({ 'x-should-retry': 'false' });
    }
    expect(server.requests).toHaveLength(0);
  });
});

describe('NvidiaConnector model catalog', () => {
  it('uses a static models list as the catalog without calling NVIDIA', async () => {
    const server = await upstream(nim);
    const connector = connectTo(server, { models: ['meta/llama3-70b'] });
    await connector.initialize();
    expect(connector.getAvailableModels()).toEqual(['meta/llama3-70b']);
    expect(server.requests).toHaveLength(0);
  });

  it('lists GET /models with the key once on initialise and serves the cached ids after', async () => {
    const server = await upstream(nim);
    const connector = connectTo(server);
    await connector.initialize();
    expect(connector.getAvailableModels()).toEqual(['meta/llama3-70b', 'stepfun-ai/step-3.5-flash']);
    expect(connector.getAvailableModels()).toEqual(['meta/llama3-70b', 'stepfun-ai/step-3.5-flash']);
    expect(server.requests.map((request) => `${request.method} ${request.url}`)).toEqual(['GET /v1/models']);
    expect(server.requests[0]?.headers.authorization).toBe('Bearer nvapi-test');
  });

  it('has an empty catalog without a usable key or a static list', async () => {
    const server = await upstream(nim);
    const connector = connectTo(server, { apiKey: undefined, env: { NVIDIA_API_KEY: ' ' } });
    await connector.initialize();
    expect(connector.getAvailableModels()).toEqual([]);
    expect(server.requests).toHaveLength(0);
  });
});

describe('NvidiaConnector first-use health check', () => {
  it('probes GET /models once before the first completion by default', async () => {
    const server = await upstream(nim);
    const connector = connectTo(server, { healthCheck: undefined });
    await connector.chatCompletion({ model: 'meta/llama3-70b', messages: userMessage });
    await connector.chatCompletion({ model: 'meta/llama3-70b', messages: userMessage });
    expect(server.requests.map((request) => `${request.method} ${request.url}`)).toEqual([
      'GET /v1/models',
      'POST /v1/chat/completions',
      'POST /v1/chat/completions',
    ]);
  });

  it('can be turned off', async () => {
    const server = await upstream(nim);
    const connector = connectTo(server, { healthCheck: false });
    await connector.chatCompletion({ model: 'meta/llama3-70b', messages: userMessage });
    expect(server.requests.map((request) => request.method)).toEqual(['POST']);
  });
});

describe('NvidiaConnector timeouts', () => {
  // undici checks these timers on a ~0.5 s tick, so the silences below keep a tick or two away from each bound.
  const silentFor = (ms: number): RecordingHandler => async (_request, response) => {
    await new Promise((resolve) => setTimeout(resolve, ms));
    sendJson(response, 200, completion);
  };

  it('answers 504 when NIM holds the response headers longer than the silence bound', async () => {
    // NIM never answers: only the silence bound can end the call (else the test times out).
    const server = await upstream(() => undefined);
    const connector = connectTo(server, { timeoutMs: 1, minSilenceTimeoutMs: 300 });
    const error = await rejection(connector.chatCompletion({ model: 'm', messages: userMessage }));
    expect(error.status).toBe(504);
    expect(error.code).toBe('upstream_timeout');
  });

  it('waits out silence shorter than the floor, even when the configured timeout is shorter', async () => {
    const server = await upstream(silentFor(1_200));
    const connector = connectTo(server, { timeoutMs: 1, minSilenceTimeoutMs: 3_000 });
    await expect(connector.chatCompletion({ model: 'm', messages: userMessage })).resolves.toMatchObject({ usage: { totalTokens: 7 } });
  });

  it('allows longer silence than the floor when the configured timeout is longer', async () => {
    const server = await upstream(silentFor(1_200));
    const connector = connectTo(server, { timeoutMs: 3_000, minSilenceTimeoutMs: 300 });
    await expect(connector.chatCompletion({ model: 'm', messages: userMessage })).resolves.toMatchObject({ usage: { totalTokens: 7 } });
  });

  it('throws a 504 from the stream when NIM goes silent between chunks for too long', async () => {
    const server = await upstream((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      // One chunk, then silence for good: only the silence bound can end the stream.
      response.write(`data: ${JSON.stringify({ id: 'c', choices: [{ index: 0, delta: { content: 'Hi' } }] })}\n\n`);
    });
    const connector = connectTo(server, { timeoutMs: 1, minSilenceTimeoutMs: 300 });
    const stream = await connector.streamChatCompletion({ model: 'm', messages: userMessage });
    const received: ChatStreamEvent[] = [];
    const error = await rejection(
      (async () => {
        for await (const read of stream) received.push(...read.events);
      })(),
    );
    expect(received).toHaveLength(1);
    expect(error.status).toBe(504);
  });

  it('defaults to a 300 s silence floor and a 30 s connect bound', () => {
    const connector = new NvidiaConnector({ env: {} });
    closers.push(() => connector.close());
    expect(connector.timeouts).toEqual({ connectMs: 30_000, headersMs: 300_000, bodyMs: 300_000 });
  });
});

describe('NvidiaConnector usage', () => {
  it('keeps the upstream usage of a non-streaming response', async () => {
    const server = await upstream(nim);
    const connector = connectTo(server);
    const result = await connector.chatCompletion({ model: 'meta/llama3-70b', messages: userMessage });
    expect(JSON.parse(result.rawBody).usage).toEqual(completion.usage);
    expect(result.usage).toEqual({ promptTokens: 5, completionTokens: 2, totalTokens: 7 });
  });

  it('reports the usage of a final usage chunk in a stream', async () => {
    const server = await upstream((_request, response) =>
      sendSse(response, [
        { id: 'c', choices: [{ index: 0, delta: { content: 'Hi' } }] },
        { id: 'c', choices: [], usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 } },
      ]),
    );
    const connector = connectTo(server);
    const stream = await connector.streamChatCompletion({ model: 'meta/llama3-70b', messages: userMessage });
    const events = await collect(stream);
    expect(events[1]).toMatchObject({ usageOnly: true, usage: { promptTokens: 5, completionTokens: 1, totalTokens: 6 } });
    expect(stream.usage).toEqual({ promptTokens: 5, completionTokens: 1, totalTokens: 6 });
  });

  it('keeps the largest report when usage comes in several chunks', async () => {
    const server = await upstream((_request, response) =>
      sendSse(response, [
        { id: 'c', choices: [{ index: 0, delta: { content: 'a' } }], usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 } },
        { id: 'c', choices: [{ index: 0, delta: { content: 'b' } }], usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 } },
      ]),
    );
    const connector = connectTo(server);
    const stream = await connector.streamChatCompletion({ model: 'meta/llama3-70b', messages: userMessage });
    await collect(stream);
    expect(stream.usage).toEqual({ promptTokens: 5, completionTokens: 2, totalTokens: 7 });
  });
});

describe('NvidiaConnector streams as NIM sends them', () => {
  it('passes numeric and null ids and data lines over 1 MiB, and gives a choice-less usage frame choices: []', async () => {
    const big = 'x'.repeat(1_200_000);
    const frames = [
      JSON.stringify({ id: 12345, choices: [{ index: 0, delta: { role: 'assistant', content: '' } }] }),
      JSON.stringify({ id: null, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: null, function: { name: 'f', arguments: '{' } }] } }] }),
      JSON.stringify({ id: 'c', choices: [{ index: 0, delta: { content: big } }] }),
      JSON.stringify({ id: 'c', usage: { prompt_tokens: 3, completion_tokens: 9, total_tokens: 12 } }),
    ];
    const server = await upstream((_request, response) => sendSse(response, frames));
    const connector = connectTo(server);
    const stream = await connector.streamChatCompletion({ model: 'meta/llama3-70b', messages: userMessage });
    const events = await collect(stream);
    // OpenAI's clients iterate a usage chunk's choices: the frame NIM sent without any is given an empty list.
    expect(events.map((event) => event.data)).toEqual([...frames.slice(0, 3), JSON.stringify({ ...(JSON.parse(frames[3]!) as object), choices: [] })]);
    expect(stream.sawDone).toBe(true);
    expect(events[3]).toMatchObject({ usageOnly: true });
    expect(stream.usage).toEqual({ promptTokens: 3, completionTokens: 9, totalTokens: 12 });
  });
});
