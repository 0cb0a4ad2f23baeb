import { describe, expect, it } from 'vitest';
import { completion, sendJson, useFakeUpstream } from './support/fake-upstream.js';
import { chatBody, createTestProxy, PROXY_KEY, type TestProxy } from './support/proxy.js';

let proxy: TestProxy;
const upstream = useFakeUpstream(() => proxy);
const ALICE_KEY = 'alice-key-0123456789abcdef';

describe('named proxy keys', () => {
  it('put the name, never the key, on the log line and the token counters', async () => {
    upstream().onChat((_request, response) => sendJson(response, 200, completion('hi', { prompt_tokens: 7, completion_tokens: 2, total_tokens: 9 })));
    proxy = createTestProxy(upstream().baseUrl, { auth: { api_keys: [{ name: 'alice', key: ALICE_KEY }, PROXY_KEY] } });
    const call = (key: string) =>
      proxy.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: { authorization: `Bearer ${key}` }, payload: chatBody() });
    expect((await call(ALICE_KEY)).statusCode).toBe(200);
    expect((await call(PROXY_KEY)).statusCode).toBe(200);
    // The Anthropic front end reads its key its own way and names it the same.
    const messages = await proxy.app.inject({
      method: 'POST',
      url: '/v1/messages',
      headers: { 'x-api-key': ALICE_KEY, 'anthropic-version': '2023-06-01' },
      payload: { model: 'meta/llama3-70b', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] },
    });
    expect(messages.statusCode).toBe(200);

    const lines = proxy.logs.records().filter((line) => line.msg === 'request completed');
    expect(lines.map((line) => [line.route, line.key_name])).toEqual([
      ['/v1/chat/completions', 'alice'],
      ['/v1/chat/completions', undefined],
      ['/v1/messages', 'alice'],
    ]);
    const metrics = (await proxy.app.inject({ url: '/metrics' })).body;
    // Alice's two requests, one through each API: one series each.
    expect(metrics).toContain('nim_proxy_prompt_tokens_total{backend="up",model="meta/llama3-70b",key_name="alice",front_end="openai_chat"} 7');
    expect(metrics).toContain('nim_proxy_prompt_tokens_total{backend="up",model="meta/llama3-70b",key_name="alice",front_end="anthropic_messages"} 7');
    expect(metrics).toContain('nim_proxy_prompt_tokens_total{backend="up",model="meta/llama3-70b",front_end="openai_chat"} 7');
    expect(proxy.logs.text + metrics).not.toContain(ALICE_KEY);
  });
});
