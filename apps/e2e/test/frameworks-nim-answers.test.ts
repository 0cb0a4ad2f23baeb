import { startProxyHarness, type ProxyHarness } from '@proxy/testkit/harness';
import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

// What agent frameworks trip over in NIM's answers, checked on the wire through the real proxy and the mock NIM:
// string ids, one id and model per response, fields NIM rejects, and the ids that trace a call.
const MODEL = 'meta/llama3-70b-instruct';
const logLines: Record<string, unknown>[] = [];
let harness: ProxyHarness;
beforeAll(async () => {
  harness = await startProxyHarness({
    mock: { rejectFields: ['top_k'] },
    config: { failure_handling: { keepalive_interval: 0.2 } },
    logDestination: { write: (line: string) => logLines.push(JSON.parse(line) as Record<string, unknown>) },
  });
});
afterEach(() => {
  harness.mock.reset();
  logLines.length = 0;
});
afterAll(async () => {
  await harness?.close();
});

const tools = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }];
const toolCall = { name: 'get_weather', arguments: { city: 'Paris, the capital of France' } };

async function post(body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const response = await request(`${harness.baseURL}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${harness.proxyKey}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model: `nvidia:${MODEL}`, messages: [{ role: 'user', content: 'Weather in Paris?' }], ...body }),
  });
  return { status: response.statusCode, headers: response.headers, text: await response.body.text() };
}

const chunksOf = (text: string) =>
  text
    .split('\n\n')
    .filter((event) => event.startsWith('data: {'))
    .map((event) => JSON.parse(event.slice('data: '.length)) as { id: unknown; model: unknown; choices?: { delta: { tool_calls?: { id?: unknown }[] } }[] });

describe('ids are strings', () => {
  it.each(['number', 'null'] as const)('streams NIM’s %s ids as strings: one completion id, one id per tool call across its deltas', async (idStyle) => {
    harness.mock.setScenario({ stream: { idStyle, repeatToolName: true }, toolCall });
    const { status, headers, text } = await post({ stream: true, tools });
    expect(status).toBe(200);
    const chunks = chunksOf(text);
    expect(chunks.length).toBeGreaterThan(3);
    expect(new Set(chunks.map((chunk) => chunk.id))).toEqual(new Set([`chatcmpl-${String(headers['x-request-id'])}`]));
    expect(new Set(chunks.map((chunk) => chunk.model))).toEqual(new Set([MODEL]));
    const callIds = chunks.flatMap((chunk) => chunk.choices?.flatMap((choice) => (choice.delta.tool_calls ?? []).map((call) => call.id)) ?? []);
    expect(callIds.length).toBeGreaterThan(1); // the id repeated in every delta, MiniMax-style
    expect(new Set(callIds)).toEqual(new Set([`call_${String(headers['x-request-id'])}_0`]));
  });

  it('answers a JSON completion with NIM’s numeric ids made strings', async () => {
    harness.mock.setScenario({ stream: { idStyle: 'number' }, toolCall });
    const { status, text } = await post({ tools }, { 'x-request-id': 'trace-7' });
    expect(status).toBe(200);
    const completion = JSON.parse(text) as { id: unknown; model: unknown; choices: { message: { tool_calls: { id: unknown; function: { arguments: string } }[] } }[] };
    expect(completion.id).toBe('chatcmpl-trace-7');
    expect(completion.model).toBe(MODEL);
    expect(completion.choices[0]!.message.tool_calls[0]!.id).toBe('call_trace-7_0');
    expect(JSON.parse(completion.choices[0]!.message.tool_calls[0]!.function.arguments)).toEqual(toolCall.arguments);
  });
});

describe('one id and one model per response', () => {
  it('names the response in the keep-alive NIM’s silence made come first, and NIM’s chunks carry the same', async () => {
    // NIM holds its headers until the client has read a keep-alive: the keep-alive is the stream's first frame.
    harness.mock.setScenario({ timing: { firstByteDelayMs: 600 } });
    const { text, headers } = await post({ stream: true });
    const chunks = chunksOf(text);
    const keepalives = chunks.filter((chunk) => chunk.choices?.length === 1 && Object.keys(chunk.choices[0]!.delta).length === 0);
    expect(keepalives.length).toBeGreaterThan(0);
    expect(new Set(chunks.map((chunk) => `${String(chunk.id)} ${String(chunk.model)}`))).toEqual(new Set([`chatcmpl-${String(headers['x-request-id'])} ${MODEL}`]));
  });
});

describe('fields NIM’s strict schema rejects', () => {
  it('does not send the OpenAI-only fields agent SDKs add, and keeps the ones NIM takes', async () => {
    const { status } = await post({
      store: false,
      metadata: { session: 'a' },
      prompt_cache_key: 'k',
      service_tier: 'auto',
      safety_identifier: 'user-1',
      reasoning_effort: 'low',
      parallel_tool_calls: true,
      chat_template_kwargs: { thinking: false },
    });
    expect(status).toBe(200);
    const sent = harness.mock.requests.to('/chat/completions');
    expect(sent).toHaveLength(1);
    // max_tokens: the connector's default, as the client named no limit.
    expect(Object.keys(sent[0]!.body as object).sort()).toEqual(['chat_template_kwargs', 'max_tokens', 'messages', 'model', 'parallel_tool_calls', 'reasoning_effort', 'stream']);
  });

  it('drops a field NIM answers 422 extra_forbidden to, retries once, and warns once', async () => {
    expect((await post({ top_k: 40 })).status).toBe(200);
    expect((await post({ top_k: 40, stream: true })).status).toBe(200);
    const sent = harness.mock.requests.to('/chat/completions').map((entry) => 'top_k' in (entry.body as object));
    expect(sent).toEqual([true, false, false]);
    const warnings = logLines.filter((line) => line.msg === 'NVIDIA NIM rejected a request field: it is no longer sent to this model');
    expect(warnings).toEqual([expect.objectContaining({ level: 40, backend: 'nvidia', model: MODEL, field: 'top_k' })]);
  });
});

describe('traceable calls', () => {
  it('sends the request id upstream and gives NIM’s nvcf-reqid back, in the response headers and the log line', async () => {
    const json = await post({}, { 'x-request-id': 'client-trace-1' });
    const stream = await post({ stream: true });
    const sent = harness.mock.requests.to('/chat/completions');
    expect(sent.map((entry) => entry.headers['x-request-id'])).toEqual(['client-trace-1', stream.headers['x-request-id']]);
    for (const answer of [json, stream]) expect(answer.headers['nvcf-reqid']).toMatch(/^[0-9a-f-]{36}$/);
    expect(json.headers['nvcf-reqid']).not.toBe(stream.headers['nvcf-reqid']);
    const completed = logLines.filter((line) => line.msg === 'request completed');
    expect(completed.map((line) => line.upstream_request_id)).toEqual([json.headers['nvcf-reqid'], stream.headers['nvcf-reqid']]);
  });

  it('gives NIM’s id back on an error answer too', async () => {
    harness.mock.setScenario({ fault: { type: 'http-error', status: 400, headers: { 'nvcf-reqid': 'nim-err-1' } } });
    const failed = await post({});
    expect(failed.status).toBe(400);
    expect(failed.headers['nvcf-reqid']).toBe('nim-err-1');
    expect(logLines.filter((line) => line.msg === 'request completed').at(-1)).toMatchObject({ upstream_request_id: 'nim-err-1' });
  });
});
