import { describe, expect, it } from 'vitest';
import { chunk, completion, sendJson, streamEvents, usageChunk, useFakeUpstream } from './support/fake-upstream.js';
import { authHeaders, chatBody, createTestProxy, PROXY_KEY, UPSTREAM_KEY, type TestProxy } from './support/proxy.js';
import { postChat } from './support/sse-client.js';

let proxy: TestProxy;
const upstream = useFakeUpstream(() => proxy);

const metricsText = async () => (await proxy.app.inject({ url: '/metrics' })).body;
const completedLines = () => proxy.logs.records().filter((line) => line.msg === 'request completed');

describe('usage accounting', () => {
  it('counts a non-streaming completion in /metrics and in one log line', async () => {
    upstream().onChat((_request, response) => sendJson(response, 200, completion('hi', { prompt_tokens: 11, completion_tokens: 4, total_tokens: 15 })));
    proxy = createTestProxy(upstream().baseUrl);
    await proxy.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: { ...authHeaders, 'x-request-id': 'req-1' }, payload: chatBody() });

    const metrics = await metricsText();
    expect(metrics).toContain('nim_proxy_prompt_tokens_total{backend="up",model="meta/llama3-70b",front_end="openai_chat"} 11');
    expect(metrics).toContain('nim_proxy_completion_tokens_total{backend="up",model="meta/llama3-70b",front_end="openai_chat"} 4');
    expect(metrics).toContain('nim_proxy_http_requests_total{route="/v1/chat/completions",method="POST",status="200"} 1');
    expect(metrics).toMatch(/nim_proxy_http_request_duration_seconds_count\{route="\/v1\/chat\/completions"\} 1/);

    const lines = completedLines().filter((line) => line.route === '/v1/chat/completions');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      // pino's own prefix, as on every other line of the server's logger
      level: 30,
      time: expect.any(Number),
      pid: process.pid,
      hostname: expect.any(String),
      request_id: 'req-1',
      method: 'POST',
      status: 200,
      backend: 'up',
      model: 'meta/llama3-70b',
      stream: false,
      prompt_tokens: 11,
      completion_tokens: 4,
      total_tokens: 15,
    });
    expect(typeof lines[0]!.latency_ms).toBe('number');
  });

  it('counts a stream from its final usage even when the client did not ask for it', async () => {
    upstream().onChat((_request, response) => streamEvents(response, [chunk('a'), usageChunk({ prompt_tokens: 3, completion_tokens: 9, total_tokens: 12 }), '[DONE]']));
    proxy = createTestProxy(upstream().baseUrl);
    const url = await proxy.listen();
    const text = await (await postChat(url, chatBody({ stream: true }))).text;
    expect(text).not.toContain('"usage"');
    const metrics = await metricsText();
    expect(metrics).toContain('nim_proxy_completion_tokens_total{backend="up",model="meta/llama3-70b",front_end="openai_chat"} 9');
    expect(completedLines().find((line) => line.route === '/v1/chat/completions')).toMatchObject({ status: 200, stream: true, total_tokens: 12 });
  });

  it('shows streams in flight in the active streams gauge', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    upstream().onChat(async (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(`data: ${chunk('a')}\n\n`);
      await released;
      response.end('data: [DONE]\n\n');
    });
    proxy = createTestProxy(upstream().baseUrl);
    const url = await proxy.listen();
    const response = await postChat(url, chatBody({ stream: true }));
    await response.waitFor(chunk('a'));
    expect(await metricsText()).toContain('nim_proxy_active_streams 1');
    release();
    await response.text;
    expect(await metricsText()).toContain('nim_proxy_active_streams 0');
  });

  it('counts upstream errors by backend, class and code', async () => {
    upstream().onChat((_request, response) => sendJson(response, 422, { status: 422, title: 'Unprocessable Entity', detail: 'Extra inputs are not permitted' }));
    proxy = createTestProxy(upstream().baseUrl);
    await proxy.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: authHeaders, payload: chatBody() });
    expect(await metricsText()).toContain('nim_proxy_upstream_errors_total{backend="up",class="4xx",code="http_422"} 1');
    expect(completedLines().find((line) => line.route === '/v1/chat/completions')).toMatchObject({ status: 422, error_type: 'invalid_request_error', error_code: null });
  });
});

describe('usage accounting of JSON answers without usage', () => {
  const answerWithoutUsage = () => {
    const { usage: _omitted, ...answer } = completion('Hello there, how are you today?');
    return answer;
  };
  const withUsage = () => completion('Hello there, how are you today?', { prompt_tokens: 11, completion_tokens: 4, total_tokens: 15 });

  /** POSTs to the listening proxy, as a client would. */
  async function post(path: string, headers: Record<string, string>, body: unknown): Promise<{ status: number; json: { usage?: Record<string, number> } }> {
    const response = await fetch(`${proxy.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    return { status: response.status, json: (await response.json()) as { usage?: Record<string, number> } };
  }

  const translating = [
    {
      route: '/v1/messages',
      frontEnd: 'anthropic_messages',
      headers: { 'x-api-key': PROXY_KEY, 'anthropic-version': '2023-06-01' },
      body: { model: 'up:meta/llama3-70b', max_tokens: 64, system: 'Be brief.', messages: [{ role: 'user', content: 'How are you today?' }] },
    },
    { route: '/v1/responses', frontEnd: 'openai_responses', headers: authHeaders, body: { model: 'up:meta/llama3-70b', instructions: 'Be brief.', input: 'How are you today?' } },
  ];

  it.each(translating)('$route: the log line and the token counters carry the estimate the client was given', async ({ route, frontEnd, headers, body }) => {
    upstream().onChat((_request, response) => sendJson(response, 200, answerWithoutUsage()));
    proxy = createTestProxy(upstream().baseUrl);
    await proxy.listen();
    const { status, json } = await post(route, headers, body);
    expect(status).toBe(200);
    const prompt = json.usage?.input_tokens ?? 0;
    const completionTokens = json.usage?.output_tokens ?? 0;
    expect(prompt).toBeGreaterThan(0);
    expect(completionTokens).toBeGreaterThan(0);

    expect(completedLines().filter((line) => line.route === route)).toEqual([
      expect.objectContaining({ status: 200, stream: false, prompt_tokens: prompt, completion_tokens: completionTokens, total_tokens: prompt + completionTokens }),
    ]);
    const metrics = await metricsText();
    expect(metrics).toContain(`nim_proxy_prompt_tokens_total{backend="up",model="meta/llama3-70b",front_end="${frontEnd}"} ${prompt}`);
    expect(metrics).toContain(`nim_proxy_completion_tokens_total{backend="up",model="meta/llama3-70b",front_end="${frontEnd}"} ${completionTokens}`);
  });

  it.each(translating)("$route: NIM's usage, when it sent one, is what is counted", async ({ route, frontEnd, headers, body }) => {
    upstream().onChat((_request, response) => sendJson(response, 200, withUsage()));
    proxy = createTestProxy(upstream().baseUrl);
    await proxy.listen();
    const { status, json } = await post(route, headers, body);
    expect(status).toBe(200);
    expect(json.usage).toMatchObject({ input_tokens: 11, output_tokens: 4 });
    expect(completedLines().find((line) => line.route === route)).toMatchObject({ prompt_tokens: 11, completion_tokens: 4, total_tokens: 15 });
    const metrics = await metricsText();
    expect(metrics).toContain(`nim_proxy_prompt_tokens_total{backend="up",model="meta/llama3-70b",front_end="${frontEnd}"} 11`);
    expect(metrics).toContain(`nim_proxy_completion_tokens_total{backend="up",model="meta/llama3-70b",front_end="${frontEnd}"} 4`);
  });

  it("/v1/chat/completions: counts no tokens, as for its streams (the pass-through estimates nothing NIM did not send)", async () => {
    upstream().onChat((_request, response) => sendJson(response, 200, answerWithoutUsage()));
    proxy = createTestProxy(upstream().baseUrl);
    await proxy.listen();
    const { status, json } = await post('/v1/chat/completions', authHeaders, chatBody());
    expect(status).toBe(200);
    expect(json.usage).toBeUndefined();
    const line = completedLines().find((record) => record.route === '/v1/chat/completions');
    expect(line).toMatchObject({ status: 200, stream: false });
    expect(line).not.toHaveProperty('prompt_tokens');
    expect(line).not.toHaveProperty('total_tokens');
    expect(await metricsText()).not.toMatch(/nim_proxy_prompt_tokens_total\{/);
  });
});

describe('secrets', () => {
  it('never puts a proxy key or upstream key in logs, error bodies or metrics', async () => {
    const echoed = `${UPSTREAM_KEY} and ${PROXY_KEY}`;
    upstream().onChat((request, response) =>
      sendJson(response, 400, { error: { message: `bad key ${echoed} header ${request.headers.authorization}` } }),
    );
    proxy = createTestProxy(upstream().baseUrl, { logging: { level: 'trace' } });
    const bodies: string[] = [];
    const wrongKey = 'wrong-key-that-must-not-leak';
    bodies.push((await proxy.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: authHeaders, payload: chatBody() })).body);
    bodies.push((await proxy.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: { authorization: `Bearer ${wrongKey}` }, payload: chatBody() })).body);
    bodies.push((await proxy.app.inject({ method: 'POST', url: '/v1/nope', headers: authHeaders })).body);
    bodies.push(await metricsText());
    const everything = [...bodies, proxy.logs.text].join('\n');
    expect(proxy.logs.lines.length).toBeGreaterThan(3);
    for (const secret of [PROXY_KEY, UPSTREAM_KEY, wrongKey]) expect(everything).not.toContain(secret);
    expect(bodies[0]).toContain('[redacted]');
  });
});
