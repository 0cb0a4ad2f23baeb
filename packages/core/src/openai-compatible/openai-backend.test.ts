import { sendJson, startRecordingUpstream, type RecordingUpstream } from '@proxy/testkit/recording-upstream';
import { afterEach, describe, expect, it } from 'vitest';
import type { Connector } from '../connector.js';
import { ProxyError } from '../errors/proxy-error.js';
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

  it('requires api_url', () => {
    expect(() => openaiBackend.create({ name: 'x', type: 'openai' }, { env: {} })).toThrow(ProxyError);
  });
});
