import type { ChatStreamEvent } from '@proxy/core';
import { DEFAULT_API_KEY } from '@proxy/testkit';
import { startMockNim, type MockNimServer } from '@proxy/testkit/node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NvidiaConnector } from './nvidia-connector.js';

// The connector proof: model enumeration and a completion against a listening mock NIM, as the live proof script
// does against the hosted API (first-use health check off, so the only calls are the ones under test).

let nim: MockNimServer;
let connector: NvidiaConnector;

beforeEach(async () => {
  nim = await startMockNim();
  connector = new NvidiaConnector({ baseURL: nim.url, apiKey: DEFAULT_API_KEY, env: {}, healthCheck: false, keepAliveTimeoutMs: 10 });
});

afterEach(async () => {
  await connector.close();
  await nim.close();
});

const request = {
  model: 'meta/llama3-70b-instruct',
  messages: [{ role: 'user', content: 'Say hello' }],
  // NIM rejects both fields; the connector must rewrite or drop them for the calls below to succeed.
  max_completion_tokens: 32,
  stream_options: { include_usage: true },
};

describe('NvidiaConnector against the mock NIM', () => {
  it('enumerates the models', async () => {
    await connector.initialize();
    expect(connector.getAvailableModels()).toContain('meta/llama3-70b-instruct');
    expect(nim.requests.to('/models')).toHaveLength(1);
  });

  it('completes a chat over HTTP/1.1 and keeps its usage', async () => {
    const result = await connector.chatCompletion(request);
    expect(result.body.choices[0]).toMatchObject({ message: { role: 'assistant' } });
    expect(result.usage?.totalTokens).toBeGreaterThan(0);
    const [sent] = nim.requests.to('/chat/completions');
    expect(sent?.httpVersion).toBe('1.1');
    expect(sent?.body).toMatchObject({ max_tokens: 32 });
    expect(sent?.body).not.toHaveProperty('max_completion_tokens');
    expect(sent?.body).not.toHaveProperty('stream_options');
  });

  it('streams a chat and reports the usage of a final frame without choices', async () => {
    nim.setScenario({ stream: { usage: 'final-no-choices' } });
    const stream = await connector.streamChatCompletion(request);
    const events: ChatStreamEvent[] = [];
    for await (const read of stream) events.push(...read.events);
    expect(stream.sawDone).toBe(true);
    expect(events.some((event) => event.data.includes('"content"'))).toBe(true);
    expect(events.some((event) => event.usageOnly)).toBe(true);
    expect(stream.usage?.totalTokens).toBeGreaterThan(0);
  });

  it("explains NIM's refusals: a bad key and a retired model", async () => {
    const badKey = new NvidiaConnector({ baseURL: nim.url, apiKey: 'nvapi-wrong', env: {}, healthCheck: false, keepAliveTimeoutMs: 10 });
    try {
      await expect(badKey.chatCompletion(request)).rejects.toMatchObject({ status: 401, message: expect.stringMatching(/NVIDIA refused the API key/) });
    } finally {
      await badKey.close();
    }
    await expect(connector.chatCompletion({ ...request, model: 'meta/llama2-70b' })).rejects.toMatchObject({
      status: 410,
      message: expect.stringMatching(/retired/),
    });
  });
});
