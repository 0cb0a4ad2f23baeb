import { sendJson, startRecordingUpstream, type RecordingUpstream } from '@proxy/testkit/recording-upstream';
import { afterEach, describe, expect, it } from 'vitest';
import type { Connector } from '../connector.js';
import { openaiBackend } from './openai-backend.js';
import type { OpenAICompatibleConnector } from './openai-compatible-connector.js';

let upstream: RecordingUpstream | undefined;
let connector: Connector | undefined;
afterEach(async () => {
  await connector?.close();
  await upstream?.close();
  connector = undefined;
  upstream = undefined;
});

describe('openaiBackend', () => {
  it('builds a generic OpenAI-compatible connector from backend config', async () => {
    upstream = await startRecordingUpstream((_req, res) => sendJson(res, 200, { object: 'list', data: [{ id: 'gpt-x' }] }));
    connector = openaiBackend.create({ name: 'local', type: 'openai', api_url: upstream.url, api_key: '  sk-local  ', timeout: 5 }, { env: {} });
    expect(connector.type).toBe('openai');
    expect(connector.name).toBe('local');
    await connector.initialize();
    expect(connector.getAvailableModels()).toEqual(['gpt-x']);
    expect(upstream.requests[0]?.headers.authorization).toBe('Bearer sk-local');
  });

  it('works without api_key (Ollama, a local vLLM): the catalog and completions, JSON and streamed, sent with no authorization', async () => {
    const answer = { id: 'c', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }] };
    upstream = await startRecordingUpstream((req, res) => {
      if (req.url === '/v1/models') return sendJson(res, 200, { object: 'list', data: [{ id: 'llama3:8b' }] });
      if (!req.body.includes('"stream":true')) return sendJson(res, 200, answer);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(`data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: 'hi' }, finish_reason: 'stop' }] })}\n\ndata: [DONE]\n\n`);
    });
    const c = openaiBackend.create({ name: 'ollama', type: 'openai', api_url: upstream.url }, { env: {} }) as OpenAICompatibleConnector;
    connector = c;
    expect(c.hasApiKey).toBe(false);
    expect(c.requiresApiKey).toBe(false);
    await c.initialize();
    expect(c.getAvailableModels()).toEqual(['llama3:8b']);
    const request = { model: 'llama3:8b', messages: [{ role: 'user' as const, content: 'hi' }] };
    expect(((await c.chatCompletion(request)).body.choices[0] as { message: { content: string } }).message.content).toBe('hi');
    const stream = await c.streamChatCompletion(request);
    for await (const _read of stream) void _read;
    expect(stream.sawDone).toBe(true);
    expect(upstream.requests.map((r) => [r.url, r.headers.authorization, r.headers['content-type']])).toEqual([
      ['/v1/models', undefined, undefined],
      ['/v1/chat/completions', undefined, 'application/json'],
      ['/v1/chat/completions', undefined, 'application/json'],
    ]);
  });

  it('closes once, however often it is asked', async () => {
    connector = openaiBackend.create({ name: 'x', type: 'openai', api_url: 'http://127.0.0.1:9/v1' }, { env: {} });
    await connector.close();
    await expect(connector.close()).resolves.toBeUndefined();
  });

  it('takes its timeouts from timeout and connect_timeout (seconds)', () => {
    const c = openaiBackend.create({ name: 'x', type: 'openai', api_url: 'http://127.0.0.1:9/v1', timeout: 5, connect_timeout: 2 }, { env: {} });
    connector = c;
    expect((c as OpenAICompatibleConnector).timeouts).toEqual({ connectMs: 2000, headersMs: 5000, bodyMs: 5000 });
  });

  it('probes GET /models before the first completion only with health_check: true', async () => {
    const completion = { id: 'c', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }] };
    upstream = await startRecordingUpstream((req, res) => sendJson(res, 200, req.url.endsWith('/models') ? { object: 'list', data: [] } : completion));
    const request = { model: 'm', messages: [{ role: 'user' as const, content: 'Hi' }] };
    for (const health_check of [true, false]) {
      connector = openaiBackend.create({ name: 'x', type: 'openai', api_url: upstream.url, api_key: 'k', health_check }, { env: {} });
      await connector.chatCompletion(request);
      await connector.close();
    }
    expect(upstream.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /v1/models', 'POST /v1/chat/completions', 'POST /v1/chat/completions']);
  });
});

describe('openaiBackend.settings', () => {
  const issues = (settings: unknown) => {
    const result = openaiBackend.settings.safeParse(settings);
    return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  };

  it('takes the common keys', () => {
    const settings = { api_url: 'http://127.0.0.1:9/v1', api_key: 'k', timeout: 5, connect_timeout: 2, models: ['m'], health_check: false };
    expect(openaiBackend.settings.parse(settings)).toEqual(settings);
  });

  it('requires api_url, an http(s) URL', () => {
    expect(issues({})).toEqual(["api_url: required for a backend of type 'openai' (the upstream's OpenAI-compatible base URL)"]);
    expect(issues({ api_url: 'ftp://host' })).toEqual(['api_url: expected an http(s) URL']);
  });

  it('rejects keys it does not take', () => {
    const result = openaiBackend.settings.safeParse({ api_url: 'http://h/v1', api_kye: 'k' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({ code: 'unrecognized_keys', keys: ['api_kye'] });
  });
});
