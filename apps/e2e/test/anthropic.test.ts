import Anthropic from '@anthropic-ai/sdk';
import { jsonSchemaOutputFormat } from '@anthropic-ai/sdk/helpers/json-schema';
import { betaZodTool } from '@anthropic-ai/sdk/helpers/beta/zod';
import { DEFAULT_MODELS, expectedCompletion, mockDirective } from '@proxy/testkit';
import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MODEL, PROXY_KEY, startStack, type Stack } from './support/stack.js';

// The Anthropic Messages front end through the real proxy (its nvidia connector, real sockets) to the listening
// mock NIM, driven by the official `@anthropic-ai/sdk`. The mock refuses unknown chat fields (as hosted NIM does),
// so every answer here also proves that nothing Anthropic-only (`metadata`, `top_k`, `thinking`, …) reached NIM.
let stack: Stack;
let client: Anthropic;
beforeAll(async () => {
  stack = await startStack({
    config: {
      failure_handling: { keepalive_interval: 0.25, max_retries: 0 },
      model_aliases: { 'claude-nim-llama': `nvidia:${MODEL}`, 'claude-*haiku*': `nvidia:${MODEL}`, 'claude-*': 'nvidia:deepseek-ai/deepseek-r1' },
      model_settings: { '*deepseek*': { max_tokens: 4096, reasoning_on: { chat_template_kwargs: { thinking: true } } } },
    },
  });
  // The SDKs send the key as x-api-key by default.
  client = new Anthropic({ baseURL: stack.proxy.url, apiKey: PROXY_KEY, maxRetries: 0 });
});
afterEach(() => stack.mock.reset());
afterAll(async () => {
  await stack?.close();
});

const chatRequests = () => stack.mock.requests.all.filter((r) => r.path.endsWith('/chat/completions'));
const lastChat = () => chatRequests().at(-1)!.body as Record<string, unknown>;
const claudeExtras = { metadata: { user_id: 'u1' }, top_k: 5 };

const writeTool = {
  name: 'Write',
  description: 'Writes a file',
  input_schema: { type: 'object' as const, properties: { file_path: { type: 'string' }, content: { type: 'string' } }, required: ['file_path', 'content'] },
};

async function raw(path: string, body: unknown, headers: Record<string, string> = { 'x-api-key': PROXY_KEY }, method: 'POST' | 'HEAD' | 'GET' = 'POST') {
  const response = await request(`${stack.proxy.url}${path}`, {
    method,
    dispatcher: stack.agent,
    headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', ...headers },
    ...(method === 'POST' ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.statusCode, headers: response.headers, text: await response.body.text() };
}

describe('POST /v1/messages with @anthropic-ai/sdk', () => {
  it('answers a JSON request as a Message, with the model the client named and usage', async () => {
    const message = await client.messages.create({
      model: `nvidia:${MODEL}`,
      max_tokens: 200,
      system: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }],
      messages: [{ role: 'user', content: 'What is NIM?' }],
      ...claudeExtras,
    });
    const sent = lastChat();
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
    expect(message).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: `nvidia:${MODEL}`,
      content: [{ type: 'text', text: expected.content }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: expected.usage.prompt_tokens, output_tokens: expected.usage.completion_tokens },
    });
    expect(message.id).toMatch(/^msg_/);
  });

  it('streams thinking (with its signature) and text with .stream(), routed by an alias, reasoning switched on', async () => {
    const stream = client.messages.stream({
      model: 'claude-sonnet-4-5-20250929',
      max_tokens: 32000,
      thinking: { type: 'enabled', budget_tokens: 2000 },
      messages: [{ role: 'user', content: 'Think, then answer.' }],
      ...claudeExtras,
    });
    const events: string[] = [];
    stream.on('streamEvent', (event) => events.push(event.type));
    const message = await stream.finalMessage();
    const sent = lastChat();
    expect(sent).toMatchObject({ model: 'deepseek-ai/deepseek-r1', max_tokens: 4096, chat_template_kwargs: { thinking: true }, stream: true });
    expect(sent).not.toHaveProperty('stream_options');
    const expected = expectedCompletion({ model: 'deepseek-ai/deepseek-r1', messages: sent.messages as never, max_tokens: 4096 });
    expect(message.model).toBe('claude-sonnet-4-5-20250929');
    expect(message.content).toEqual([
      { type: 'thinking', thinking: expected.reasoningContent, signature: expect.stringMatching(/.+/) },
      { type: 'text', text: expected.content },
    ]);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage.input_tokens).toBeGreaterThan(0);
    expect(message.usage.output_tokens).toBeGreaterThan(0);
    expect(events[0]).toBe('message_start');
    expect(events.slice(-2)).toEqual(['message_delta', 'message_stop']);
  });

  it('splits <think> tags out of content into a thinking block', async () => {
    const message = await client.messages.stream({ model: 'nvidia:qwen/qwq-32b', max_tokens: 500, messages: [{ role: 'user', content: 'Reason in tags.' }] }).finalMessage();
    const expected = expectedCompletion({ model: 'qwen/qwq-32b', messages: lastChat().messages as never, max_tokens: 500 });
    expect(message.content.map((block) => block.type)).toEqual(['thinking', 'text']);
    expect(message.content[1]).toMatchObject({ type: 'text', text: (expected.content ?? '').replace(/^[\s\S]*<\/think>\s*/, '') });
  });

  it('runs a tool round trip: tool_use streamed with its input, then the tool_result answered', async () => {
    const directive = mockDirective({ toolCall: { name: 'Write', arguments: { file_path: '/tmp/x/hi.txt', content: 'hi there' } }, finalAnswer: 'Wrote it.' });
    const first = await client.messages
      .stream({ model: 'claude-haiku-4-5', max_tokens: 1000, tools: [writeTool], messages: [{ role: 'user', content: `${directive} Write the file.` }] })
      .finalMessage();
    expect(first.stop_reason).toBe('tool_use');
    expect(first.model).toBe('claude-haiku-4-5');
    const toolUse = first.content.find((block) => block.type === 'tool_use');
    expect(toolUse).toMatchObject({ type: 'tool_use', name: 'Write', input: { file_path: '/tmp/x/hi.txt', content: 'hi there' } });
    expect(lastChat()).toMatchObject({ model: MODEL, tools: [{ type: 'function', function: { name: 'Write', parameters: writeTool.input_schema } }] });

    const second = await client.messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 1000,
      tools: [writeTool],
      messages: [
        { role: 'user', content: `${directive} Write the file.` },
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: toolUse!.type === 'tool_use' ? toolUse!.id : '', content: 'File written' }, { type: 'text', text: 'Go on.' }] },
      ],
    });
    expect(second.content).toEqual([{ type: 'text', text: 'Wrote it.' }]);
    expect(second.stop_reason).toBe('end_turn');
    const messages = lastChat().messages as Array<Record<string, unknown>>;
    expect(messages.slice(-3)).toEqual([
      expect.objectContaining({ role: 'assistant', tool_calls: [expect.objectContaining({ id: (toolUse as { id: string }).id })] }),
      { role: 'tool', tool_call_id: (toolUse as { id: string }).id, content: 'File written' },
      { role: 'user', content: 'Go on.' },
    ]);
  });

  it("runs the SDK's own agent loop (beta.messages.toolRunner with a betaZodTool), streamed and not, through its message threads", async () => {
    // The runner threads by default: its second turn continues a thread with the tool's result alone. The proxy,
    // which stores nothing, answers thread_not_found, and the SDK sends the whole conversation again.
    for (const stream of [false, true]) {
      stack.mock.reset();
      const refusalsBefore = stack.logs.filter((line) => line.includes('"route":"/v1/messages"') && line.includes('"status":404')).length;
      const ran: string[] = [];
      const weather = betaZodTool({
        name: 'get_weather',
        description: 'The weather in a city',
        inputSchema: z.object({ city: z.string() }),
        run: ({ city }) => {
          ran.push(city);
          return `sunny in ${city}`;
        },
      });
      const directive = mockDirective({ stream: { idStyle: 'number' }, toolCall: { name: 'get_weather', arguments: { city: 'Paris' } }, finalAnswer: 'It is sunny in Paris.' });
      const runner = client.beta.messages.toolRunner({ model: 'claude-haiku-4-5', max_tokens: 1000, tools: [weather], messages: [{ role: 'user', content: `${directive} Weather?` }], stream });
      const final = await runner.runUntilDone();
      expect(ran, `stream: ${stream}`).toEqual(['Paris']);
      expect(final.content).toEqual([expect.objectContaining({ type: 'text', text: 'It is sunny in Paris.' })]);
      // NIM got the result under the id the SDK had for the call (NIM's numeric id made a string).
      const [, second] = chatRequests().map((r) => r.body as { messages: Array<{ role: string; tool_calls?: { id: string }[]; tool_call_id?: string; content?: unknown }> });
      const callId = second!.messages.find((message) => message.role === 'assistant')!.tool_calls![0]!.id;
      expect(typeof callId).toBe('string');
      expect(second!.messages.find((message) => message.role === 'tool')).toEqual({ role: 'tool', tool_call_id: callId, content: 'sunny in Paris' });
      expect(stack.mock.requests.all.filter((r) => r.path.endsWith('/chat/completions'))).toHaveLength(2);
      expect(stack.logs.filter((line) => line.includes('"route":"/v1/messages"') && line.includes('"status":404')).length - refusalsBefore).toBe(1);
    }
  });

  it('repairs a MiniMax-style stream (the name in every delta, numeric ids)', async () => {
    stack.mock.setScenario({ stream: { repeatToolName: true, idStyle: 'number' }, toolCall: { name: 'Write', arguments: { file_path: '/a', content: 'b' } } });
    const message = await client.messages.stream({ model: `nvidia:${MODEL}`, max_tokens: 100, tools: [writeTool], messages: [{ role: 'user', content: 'go' }] }).finalMessage();
    const toolUse = message.content.find((block) => block.type === 'tool_use') as { id: string; name: string; input: unknown };
    expect(toolUse.name).toBe('Write');
    expect(typeof toolUse.id).toBe('string');
    expect(toolUse.input).toEqual({ file_path: '/a', content: 'b' });
  });

  it('keeps a silent stream alive with ping events after message_start', async () => {
    const answer = await raw('/v1/messages?beta=true', {
      model: `nvidia:${MODEL}`,
      max_tokens: 100,
      stream: true,
      messages: [{ role: 'user', content: `${mockDirective({ timing: { firstByteDelayMs: 900 } })}Hello` }],
    }, { authorization: `Bearer ${PROXY_KEY}`, 'anthropic-beta': 'claude-code-20250219' });
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toMatch(/^text\/event-stream/);
    const names = [...answer.text.matchAll(/^event: (\S+)$/gm)].map((match) => match[1]);
    expect(names[0]).toBe('message_start');
    expect(names[1]).toBe('ping');
    expect(names.at(-1)).toBe('message_stop');
    expect(answer.text).not.toContain('[DONE]');
    const text = [...answer.text.matchAll(/"text_delta","text":("(?:[^"\\]|\\.)*")/g)].map((match) => JSON.parse(match[1]!) as string).join('');
    expect(text).toBe('You said: Hello');
  });

  it("gives every answer a request-id header, which the SDK reports as the message's and the error's request id", async () => {
    const { data: message, response, request_id } = await client.messages.create({ model: `nvidia:${MODEL}`, max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    expect(request_id).toBe(response.headers.get('x-request-id'));
    expect(message.id).toBe(`msg_${request_id}`);
    const stream = client.messages.stream({ model: `nvidia:${MODEL}`, max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] });
    await stream.finalMessage();
    expect(stream.request_id).toMatch(/.+/);
    const failed = (await client.messages.create({ model: 'nvidia:no/such-model', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e)) as InstanceType<typeof Anthropic.APIError>;
    expect(failed.status).toBe(404);
    expect(failed.requestID).toBe(failed.headers?.get('x-request-id'));
    expect(failed.requestID).toMatch(/.+/);
    const refused = (await new Anthropic({ baseURL: stack.proxy.url, apiKey: 'wrong-key', maxRetries: 0 })
      .messages.countTokens({ model: MODEL, messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e)) as InstanceType<typeof Anthropic.APIError>;
    expect(refused.status).toBe(401);
    expect(refused.requestID).toMatch(/.+/);
  });

  it("asks NIM for the structured output messages.parse() wants, as response_format, and the SDK parses the answer", async () => {
    const schema = { type: 'object', properties: { answer: { type: 'integer' } }, required: ['answer'], additionalProperties: false } as const;
    const message = await client.messages.parse({
      model: `nvidia:${MODEL}`,
      max_tokens: 100,
      output_config: { format: jsonSchemaOutputFormat(schema) },
      messages: [{ role: 'user', content: `${mockDirective({ content: '{"answer":42}' })}How many?` }],
    });
    expect(message.parsed_output).toEqual({ answer: 42 });
    // NIM constrains its output to the schema only when asked: without response_format the model answers prose.
    expect(lastChat().response_format).toEqual({ type: 'json_schema', json_schema: { name: 'output', schema: expect.objectContaining({ type: 'object', required: ['answer'] }) } });
  });

  it('counts tokens without calling NIM', async () => {
    const before = stack.mock.requests.count;
    const counted = await client.messages.countTokens({ model: 'claude-sonnet-4-5', system: 'You are helpful.', tools: [writeTool], messages: [{ role: 'user', content: 'Hello there, how are you?' }] });
    expect(counted.input_tokens).toBeGreaterThan(10);
    expect(stack.mock.requests.count).toBe(before);
  });
});

describe('errors in Anthropic shape', () => {
  const expectAnthropicError = (error: unknown, status: number, type: string) => {
    expect(error).toBeInstanceOf(Anthropic.APIError);
    const apiError = error as InstanceType<typeof Anthropic.APIError>;
    expect(apiError.status).toBe(status);
    expect(apiError.error).toEqual({ type: 'error', error: { type, message: expect.any(String) } });
    return (apiError.error as { error: { message: string } }).error.message;
  };
  const ask = (model = `nvidia:${MODEL}`) => client.messages.create({ model, max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] });

  it('401 authentication_error for a wrong or missing key', async () => {
    const stranger = new Anthropic({ baseURL: stack.proxy.url, apiKey: 'wrong-key', maxRetries: 0 });
    expectAnthropicError(await stranger.messages.create({ model: MODEL, max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e), 401, 'authentication_error');
    const none = await raw('/v1/messages', { model: MODEL, max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }, {});
    expect(none.status).toBe(401);
    expect(JSON.parse(none.text)).toEqual({ type: 'error', error: { type: 'authentication_error', message: expect.stringContaining('x-api-key') } });
    // A refused key stays refused: the SDKs and Claude Code are told not to retry.
    expect(none.headers['x-should-retry']).toBe('false');
  });

  it('takes the proxy key from either header when a client sends both (Claude Code with ANTHROPIC_API_KEY and ANTHROPIC_AUTH_TOKEN set)', async () => {
    const body = { model: `nvidia:${MODEL}`, max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] };
    // An Anthropic key exported for Anthropic itself beside the proxy's key as the gateway token, and the other way round.
    const both = await raw('/v1/messages', body, { 'x-api-key': 'sk-ant-api03-for-anthropic-itself', authorization: `Bearer ${PROXY_KEY}` });
    expect(both.status).toBe(200);
    expect(JSON.parse(both.text)).toMatchObject({ content: [{ type: 'text', text: 'You said: hi' }] });
    const swapped = await raw('/v1/messages/count_tokens', body, { 'x-api-key': PROXY_KEY, authorization: 'Bearer sk-ant-oat01-for-anthropic-itself' });
    expect(swapped.status).toBe(200);
    const neither = await raw('/v1/messages', body, { 'x-api-key': 'wrong-1', authorization: 'Bearer wrong-2' });
    expect(neither.status).toBe(401);
    expect(JSON.parse(neither.text)).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
  });

  it('400 invalid_request_error naming the field, without calling NIM', async () => {
    const before = stack.mock.requests.count;
    const answer = await raw('/v1/messages', { model: MODEL, messages: [{ role: 'user', content: 'x' }] });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text)).toEqual({ type: 'error', error: { type: 'invalid_request_error', message: expect.stringContaining('max_tokens') } });
    const orphan = await raw('/v1/messages', { model: MODEL, max_tokens: 5, messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_x', content: 'r' }] }] });
    expect(orphan.status).toBe(400);
    expect(orphan.text).toContain('messages[0].content[0].tool_use_id');
    expect(stack.mock.requests.count).toBe(before);
  });

  it("NIM's errors: 404 not_found_error, 422 → 400 quoting NIM, 429 with retry-after, 503 → 529 overloaded_error", async () => {
    expect(expectAnthropicError(await ask('nvidia:no/such-model').catch((e: unknown) => e), 404, 'not_found_error')).toContain('Not found');
    stack.mock.failNext({ type: 'http-error', status: 422, body: { status: 422, title: 'Unprocessable Entity', detail: 'Extra inputs are not permitted' } });
    expect(expectAnthropicError(await ask().catch((e: unknown) => e), 400, 'invalid_request_error')).toContain('Extra inputs are not permitted');
    stack.mock.failNext({ type: 'rate-limit', retryAfterSeconds: 7 });
    const limited = await ask().catch((e: unknown) => e);
    expectAnthropicError(limited, 429, 'rate_limit_error');
    expect((limited as InstanceType<typeof Anthropic.APIError>).headers?.get('retry-after')).toBe('7');
    stack.mock.failNext({ type: 'http-error', status: 503 });
    expectAnthropicError(await ask().catch((e: unknown) => e), 529, 'overloaded_error');
  });

  it('a failure after the stream started ends it with an error event', async () => {
    const answer = await raw('/v1/messages', {
      model: `nvidia:${MODEL}`,
      max_tokens: 100,
      stream: true,
      messages: [{ role: 'user', content: `${mockDirective({ fault: { type: 'disconnect', afterChunks: 2 } })}one two three four five` }],
    });
    expect(answer.status).toBe(200);
    const frames = answer.text.split('\n\n').filter(Boolean);
    expect(frames[0]).toMatch(/^event: message_start\n/);
    const last = frames.at(-1)!;
    expect(last).toMatch(/^event: error\ndata: /);
    expect(JSON.parse(last.split('\ndata: ')[1]!)).toEqual({ type: 'error', error: { type: expect.stringMatching(/api_error|overloaded_error/), message: expect.any(String) } });
    expect(answer.text).not.toContain('message_stop');
  });

  it("an error NIM reports inside its stream reaches the SDK with NIM's message", async () => {
    const content = `${mockDirective({ fault: { type: 'stream-error', afterChunks: 2, message: 'engine died mid-answer' } })}one two three four five`;
    const stream = client.messages.stream({ model: `nvidia:${MODEL}`, max_tokens: 100, messages: [{ role: 'user', content }] });
    const error = await stream.finalMessage().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect((error as Error).message).toContain('engine died mid-answer');
  });

  it('reports the stop sequence that ended the answer (NIM names it as vLLM does), streamed and not', async () => {
    const params = { model: `nvidia:${MODEL}`, max_tokens: 100, stop_sequences: ['END'], messages: [{ role: 'user' as const, content: 'one two END three' }] };
    const whole = await client.messages.create(params);
    const streamed = await client.messages.stream(params).finalMessage();
    for (const message of [whole, streamed]) {
      expect(message).toMatchObject({ stop_reason: 'stop_sequence', stop_sequence: 'END', content: [{ type: 'text', text: 'You said: one two ' }] });
    }
    expect(lastChat()).toMatchObject({ stop: ['END'] });
  });

  it('unknown routes under /v1/messages are 404 in Anthropic shape', async () => {
    const answer = await raw('/v1/messages/batches', {});
    expect(answer.status).toBe(404);
    expect(JSON.parse(answer.text)).toEqual({ type: 'error', error: { type: 'not_found_error', message: expect.stringContaining('/v1/messages/batches') } });
  });
});

describe("Claude Code's side traffic", () => {
  it('is answered quietly: no key needed, no request line', async () => {
    const linesBefore = stack.logs.length;
    expect((await raw('/', undefined, {}, 'HEAD')).status).toBe(200);
    expect((await raw('/api/hello', undefined, {}, 'HEAD')).status).toBe(200);
    expect((await raw('/api/event_logging/batch', { events: [] }, {})).status).toBe(204);
    expect(stack.logs.slice(linesBefore).filter((line) => line.includes('"route"'))).toEqual([]);
  });
});

describe('GET /v1/models with @anthropic-ai/sdk', () => {
  it("pages through the aliases named by id and the catalog, as the SDK's auto-pagination does, and retrieves one", async () => {
    const all: { id: string; type: string; display_name: string }[] = [];
    // Three a page: the SDK asks for the next with after_id while has_more.
    for await (const model of client.models.list({ limit: 3 })) all.push(model);
    const catalog = DEFAULT_MODELS.map((model) => `nvidia:${model.id}`);
    expect(all.map((model) => model.id)).toEqual(['claude-nim-llama', ...catalog, `fast:${MODEL}`]);
    expect(all[0]).toMatchObject({ type: 'model', display_name: 'claude-nim-llama' });
    expect(await client.models.retrieve('claude-nim-llama')).toMatchObject({ id: 'claude-nim-llama', type: 'model' });
    const missing = await client.models.retrieve('claude-none').catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(Anthropic.NotFoundError);
    expect((missing as InstanceType<typeof Anthropic.NotFoundError>).error).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
  });
});
