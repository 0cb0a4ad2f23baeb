import { expectedCompletion, mockDirective } from '@proxy/testkit';
import type { APIError } from 'openai';
import OpenAI from 'openai';
import { zodTextFormat } from 'openai/helpers/zod';
import OpenAINext from 'openai-next';
import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MODEL, PROXY_KEY, startStack, type Stack } from './support/stack.js';

// The Responses front end through the real proxy (its nvidia connector, real sockets) to the listening mock NIM,
// driven by the official `openai` SDK. The mock refuses unknown chat fields, so every answer here also proves that
// no Responses-only field (`store`, `include`, `prompt_cache_key`, …) reached NIM.
let stack: Stack;
let client: OpenAI;
beforeAll(async () => {
  stack = await startStack({ config: { failure_handling: { keepalive_interval: 0.25 } } });
  client = new OpenAI({ baseURL: stack.baseURL, apiKey: PROXY_KEY, maxRetries: 0 });
});
afterEach(() => stack.mock.reset());
afterAll(async () => {
  await stack?.close();
});

const lastChat = () => stack.mock.requests.all.filter((r) => r.path.endsWith('/chat/completions')).at(-1)!;
const codexExtras = { store: false, include: ['reasoning.encrypted_content' as const], prompt_cache_key: 'k', text: { verbosity: 'low' as const }, service_tier: 'auto' as const, metadata: { a: 'b' } };

const execTool = {
  type: 'function' as const,
  name: 'exec_command',
  description: 'Runs a shell command',
  strict: false,
  parameters: { type: 'object', properties: { cmd: { type: 'string' } }, required: ['cmd'] },
};

describe('POST /v1/responses with the openai SDK', () => {
  it('answers a JSON request with the response object and output_text', async () => {
    const response = await client.responses.create({ model: `nvidia:${MODEL}`, instructions: 'Be brief.', input: 'What is NIM?', max_output_tokens: 200, ...codexExtras });
    const sent = lastChat().body as Record<string, unknown>;
    expect(sent).toEqual({
      model: MODEL,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'What is NIM?' },
      ],
      max_tokens: 200,
      stream: false, // the connector's own
    });
    const expected = expectedCompletion({ model: MODEL, messages: sent.messages as never, max_tokens: 200 });
    expect(response.object).toBe('response');
    expect(response.status).toBe('completed');
    expect(response.model).toBe(`nvidia:${MODEL}`);
    expect(response.output_text).toBe(expected.content);
    expect(response.usage).toMatchObject({ input_tokens: expected.usage.prompt_tokens, output_tokens: expected.usage.completion_tokens, total_tokens: expected.usage.total_tokens });
  });

  it('streams reasoning and text as Responses events, ending in response.completed with usage', async () => {
    const stream = await client.responses.create({ model: 'nvidia:deepseek-ai/deepseek-r1', input: [{ role: 'user', content: 'Think, then answer.' }], stream: true, ...codexExtras });
    const types: string[] = [];
    const sequence: number[] = [];
    let text = '';
    let reasoning = '';
    let final: OpenAI.Responses.Response | undefined;
    for await (const event of stream) {
      types.push(event.type);
      sequence.push(event.sequence_number);
      if (event.type === 'response.output_text.delta') text += event.delta;
      if (event.type === 'response.reasoning_summary_text.delta') reasoning += event.delta;
      if (event.type === 'response.completed') final = event.response;
    }
    const expected = expectedCompletion({ model: 'deepseek-ai/deepseek-r1', messages: [{ role: 'user', content: 'Think, then answer.' }] });
    expect(text).toBe(expected.content);
    expect(reasoning).toBe(expected.reasoningContent);
    expect(types.slice(0, 3)).toEqual(['response.created', 'response.in_progress', 'response.output_item.added']);
    expect(types.at(-1)).toBe('response.completed');
    expect(sequence).toEqual(sequence.map((_, index) => index));
    expect(final!.output.map((item) => item.type)).toEqual(['reasoning', 'message']);
    expect(final!.usage).toMatchObject({ input_tokens: expected.usage.prompt_tokens, output_tokens: expected.usage.completion_tokens });
  });

  it('works with the SDK stream helper (responses.stream) and its final response', async () => {
    const stream = client.responses.stream({ model: `nvidia:${MODEL}`, input: 'Hello there' });
    const final = await stream.finalResponse();
    expect(final.output_text).toBe('You said: Hello there');
  });

  it("parses structured output with the SDK's responses.parse and zodTextFormat: NIM gets the schema as response_format", async () => {
    const Place = z.object({ name: z.string(), height: z.number() });
    stack.mock.setScenario({ content: '{"name":"Eiffel Tower","height":330}' });
    const response = await client.responses.parse({ model: `nvidia:${MODEL}`, input: 'A tall place?', text: { format: zodTextFormat(Place, 'place') } });
    expect(response.output_parsed).toEqual({ name: 'Eiffel Tower', height: 330 });
    const format = (lastChat().body as { response_format?: { type: string; json_schema: { name: string; strict?: boolean; schema: { properties: Record<string, unknown> } } } }).response_format;
    expect(format).toMatchObject({ type: 'json_schema', json_schema: { name: 'place', strict: true } });
    expect(Object.keys(format!.json_schema.schema.properties)).toEqual(['name', 'height']);
  });

  it('runs a function-call round trip: the call, then the answer to its output', async () => {
    const directive = mockDirective({ toolCall: { name: 'exec_command', arguments: { cmd: 'ls -la' } }, finalAnswer: 'The directory is listed.' });
    const input: OpenAI.Responses.ResponseInput = [{ role: 'user', content: `${directive} List the directory.` }];
    const stream = await client.responses.create({ model: `nvidia:${MODEL}`, input, tools: [execTool, { type: 'web_search' }], tool_choice: 'auto', parallel_tool_calls: true, stream: true });
    let args = '';
    let call: OpenAI.Responses.ResponseFunctionToolCall | undefined;
    for await (const event of stream) {
      if (event.type === 'response.function_call_arguments.delta') args += event.delta;
      if (event.type === 'response.output_item.done' && event.item.type === 'function_call') call = event.item;
    }
    expect(call).toMatchObject({ type: 'function_call', name: 'exec_command', arguments: '{"cmd":"ls -la"}', status: 'completed' });
    expect(typeof call!.call_id).toBe('string');
    expect(args).toBe(call!.arguments);
    const first = lastChat().body as { tools: { function: { name: string } }[]; tool_choice: string; parallel_tool_calls: boolean };
    expect(first.tools.map((tool) => tool.function.name)).toEqual(['exec_command']); // web_search is not sent
    expect(first).toMatchObject({ tool_choice: 'auto', parallel_tool_calls: true });
    expect(stack.logs.some((line) => line.includes('dropped_tools') && line.includes('web_search'))).toBe(true);

    const answer = await client.responses.create({
      model: `nvidia:${MODEL}`,
      tools: [execTool],
      input: [...input, { type: 'function_call', call_id: call!.call_id, name: call!.name, arguments: call!.arguments }, { type: 'function_call_output', call_id: call!.call_id, output: 'a.txt\nb.txt' }],
    });
    expect(answer.output_text).toBe('The directory is listed.');
    const second = lastChat().body as { messages: Record<string, unknown>[] };
    expect(second.messages.slice(-2)).toEqual([
      { role: 'assistant', content: null, tool_calls: [{ id: call!.call_id, type: 'function', function: { name: 'exec_command', arguments: '{"cmd":"ls -la"}' } }] },
      { role: 'tool', tool_call_id: call!.call_id, content: 'a.txt\nb.txt' },
    ]);
  });

  it('maps namespaced tools to flat names upstream and back in the answer', async () => {
    const directive = mockDirective({ toolCall: { name: 'multi_agent_v1__spawn_agent', arguments: { task: 'x' } } });
    const response = await client.responses.create({
      model: `nvidia:${MODEL}`,
      input: `${directive} spawn`,
      tools: [{ type: 'namespace', name: 'multi_agent_v1', description: 'agents', tools: [{ type: 'function', name: 'spawn_agent', parameters: { type: 'object', properties: { task: { type: 'string' } } } }] }] as never,
    });
    expect((lastChat().body as { tools: { function: { name: string } }[] }).tools[0]!.function.name).toBe('multi_agent_v1__spawn_agent');
    expect(response.output[0]).toMatchObject({ type: 'function_call', name: 'spawn_agent', namespace: 'multi_agent_v1', arguments: '{"task":"x"}' });
  });

  it("keeps a silent stream alive with OpenAI's keepalive events, which both SDKs' stream helpers accept", async () => {
    const input = `${mockDirective({ timing: { firstByteDelayMs: 900 } })}Hello`;
    const stream = await client.responses.create({ model: `nvidia:${MODEL}`, input, stream: true });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types[0]).toBe('response.created');
    expect(types).toContain('keepalive');
    expect(types.at(-1)).toBe('response.completed');
    // The newest SDK checks every event of a stream against the response it builds, and throws on one it does not know.
    const next = new OpenAINext({ baseURL: stack.baseURL, apiKey: PROXY_KEY, maxRetries: 0 });
    const helper = next.responses.stream({ model: `nvidia:${MODEL}`, input });
    const final = await helper.finalResponse();
    expect(final.status).toBe('completed');
    expect(final.output_text).toBe('You said: Hello');
  });
});

describe('POST /v1/responses errors', () => {
  it('refuses previous_response_id with a 400 in OpenAI shape, NIM not called', async () => {
    const before = stack.mock.requests.count;
    const error = await client.responses.create({ model: `nvidia:${MODEL}`, input: 'hi', previous_response_id: 'resp_1' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as APIError).message).toContain('keeps no conversation state');
    expect((error as APIError).param).toBe('previous_response_id');
    expect(stack.mock.requests.count).toBe(before);
  });

  it('answers 401 without the proxy key and NIM errors with their status before the stream', async () => {
    const anonymous = new OpenAI({ baseURL: stack.baseURL, apiKey: 'wrong', maxRetries: 0 });
    await expect(anonymous.responses.create({ model: `nvidia:${MODEL}`, input: 'hi' })).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    const missing = await client.responses.create({ model: 'nvidia:no/such-model', input: 'hi', stream: true }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(OpenAI.NotFoundError);
    expect((missing as APIError).message).toContain('Not found');
  });

  it('ends a stream NIM cut mid-way with response.failed, never response.completed', async () => {
    const response = await request(`${stack.baseURL}/responses`, {
      method: 'POST',
      dispatcher: stack.agent,
      headers: { authorization: `Bearer ${PROXY_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: `nvidia:${MODEL}`, input: `${mockDirective({ fault: { type: 'disconnect', afterChunks: 3 } })}Tell me a long story`, stream: true }),
    });
    expect(response.statusCode).toBe(200);
    const text = await response.body.text();
    const types = text.split('\n').filter((line) => line.startsWith('event: ')).map((line) => line.slice(7));
    expect(types).not.toContain('response.completed');
    expect(types.at(-1)).toBe('response.failed');
    expect(text).not.toContain(PROXY_KEY);
  });

  it("ends a stream NIM failed inside with response.failed quoting NIM's error (the openai SDK's iterator)", async () => {
    const input = `${mockDirective({ fault: { type: 'stream-error', afterChunks: 2, message: 'engine died mid-answer' } })}Tell me a long story`;
    const stream = await client.responses.create({ model: `nvidia:${MODEL}`, input, stream: true });
    const types: string[] = [];
    let failed: OpenAI.Responses.Response | undefined;
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'response.failed') failed = event.response;
    }
    expect(types).not.toContain('response.completed');
    expect(failed?.error).toEqual({ code: 'upstream_stream_error', message: expect.stringContaining('engine died mid-answer') });
    const line = stack.logs.map((entry) => JSON.parse(entry) as Record<string, unknown>).filter((entry) => entry.route === '/v1/responses').at(-1);
    expect(line).toMatchObject({ status: 200, error_code: 'upstream_stream_error' });
  });
});
