import { ProxyError, type ChatCompletionResult } from '@proxy/core';
import { describe, expect, it } from 'vitest';
import { createAnthropicFrontEnd } from './anthropic-front-end.js';
import { jsonCompletion } from '../complete-json.js';
import { AnthropicStreamEncoder } from './stream-encoder.js';
import { chunk, context, readsOf, sse } from './test-support.js';

const frontEnd = createAnthropicFrontEnd();
const body = frontEnd.parse({ model: 'claude-haiku-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] });

function answer(message: Record<string, unknown>, finish: string, usage?: Record<string, number>) {
  return JSON.parse(translate(message, finish, usage).text);
}

function translate(message: Record<string, unknown>, finish: string, usage?: Record<string, number>, upstreamModel?: string, request = body) {
  const json = { id: 'x', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', ...message }, finish_reason: finish }], ...(usage ? { usage } : {}) };
  const result: ChatCompletionResult = {
    rawBody: JSON.stringify(json),
    body: json as ChatCompletionResult['body'],
    usage: usage ? { promptTokens: usage.prompt_tokens!, completionTokens: usage.completion_tokens!, totalTokens: usage.total_tokens! } : undefined,
  };
  return frontEnd.fromChatCompletion(result, request, context({ clientModel: 'claude-haiku-4-5', ...(upstreamModel ? { upstreamModel } : {}) }));
}

describe('usage for accounting', () => {
  it("is NIM's own when it reported usage: no estimate is made", () => {
    expect(translate({ content: 'Hello!' }, 'stop', { prompt_tokens: 9, completion_tokens: 2, total_tokens: 11 }).estimatedUsage).toBeUndefined();
  });

  it('is the estimate the answer carries when NIM reported none, the one a stream of the same answer accounts', () => {
    const translated = translate({ reasoning_content: 'Let me think.', content: 'Hello there, how are you today?' }, 'stop');
    const usage = JSON.parse(translated.text).usage;
    expect(translated.estimatedUsage).toEqual({
      promptTokens: usage.input_tokens,
      completionTokens: usage.output_tokens,
      totalTokens: usage.input_tokens + usage.output_tokens,
    });

    const encoder = new AnthropicStreamEncoder({ ...body, stream: true }, context());
    encoder.start();
    const upstream = sse([chunk({ reasoning_content: 'Let me think.' }), chunk({ content: 'Hello there, how are you today?' }), chunk({}, 'stop')]);
    for (const read of readsOf([Buffer.from(upstream)])) encoder.read(read);
    encoder.end();
    expect(translated.estimatedUsage).toEqual(encoder.estimatedUsage);
  });
});

describe('chat completion → Anthropic Message', () => {
  it('answers text with the client model, the stop reason and usage', () => {
    expect(answer({ content: 'Hello!' }, 'stop', { prompt_tokens: 9, completion_tokens: 2, total_tokens: 11 })).toEqual({
      id: 'msg_req1',
      type: 'message',
      role: 'assistant',
      model: 'claude-haiku-4-5',
      content: [{ type: 'text', text: 'Hello!' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 9, output_tokens: 2, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    });
  });

  it('takes tool arguments sent as a JSON object rather than text', () => {
    const message = answer({ tool_calls: [{ id: 'c1', type: 'function', function: { name: 'Read', arguments: { path: '/a' } } }] }, 'tool_calls');
    expect(message.content).toEqual([{ type: 'tool_use', id: 'c1', name: 'Read', input: { path: '/a' } }]);
  });

  it('orders thinking (reasoning_content or <think>), text, then tool_use blocks', () => {
    const message = answer(
      {
        content: '<think>plan</think>\n\nCalling.',
        tool_calls: [
          { id: 'c1', type: 'function', function: { name: 'Write', arguments: '{"file_path":"/a","content":"b"}' } },
          { id: 2, type: 'function', function: { name: 'Read', arguments: '{"path":"/a"' } },
        ],
      },
      'tool_calls',
    );
    expect(message.content).toEqual([
      { type: 'thinking', thinking: 'plan', signature: expect.any(String) },
      { type: 'text', text: 'Calling.' },
      { type: 'tool_use', id: 'c1', name: 'Write', input: { file_path: '/a', content: 'b' } },
      { type: 'tool_use', id: '2', name: 'Read', input: { path: '/a' } },
    ]);
    expect(message.stop_reason).toBe('tool_use');
    // No usage from NIM: estimated, never missing.
    expect(message.usage.input_tokens).toBeGreaterThan(0);
    expect(message.usage.output_tokens).toBeGreaterThan(0);
  });

  it('keeps only the first call when the request allows one (disable_parallel_tool_use), and says so', () => {
    const calls = [
      { id: 'c1', type: 'function', function: { name: 'Read', arguments: '{"path":"/a"}' } },
      { id: 'c2', type: 'function', function: { name: 'Read', arguments: '{"path":"/b"}' } },
    ];
    const oneAtMost = frontEnd.parse({ ...body, tools: [{ name: 'Read', input_schema: { type: 'object' } }], tool_choice: { type: 'auto', disable_parallel_tool_use: true } });
    const ctx = context();
    const json = { id: 'x', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: null, tool_calls: calls }, finish_reason: 'tool_calls' }] };
    const result: ChatCompletionResult = { rawBody: JSON.stringify(json), body: json as ChatCompletionResult['body'], usage: undefined };
    const message = JSON.parse(frontEnd.fromChatCompletion(result, oneAtMost, ctx).text) as { content: unknown[]; stop_reason: string };
    expect(message.content).toEqual([{ type: 'tool_use', id: 'c1', name: 'Read', input: { path: '/a' } }]);
    expect(message.stop_reason).toBe('tool_use');
    expect(ctx.warnings).toEqual([expect.stringContaining('disable_parallel_tool_use')]);
    // Without it, both calls are answered.
    expect(answer({ content: null, tool_calls: calls }, 'tool_calls').content).toHaveLength(2);
  });

  it('answers end_turn, not tool_use, when NIM said tool_calls but no call is left to run', () => {
    for (const tool_calls of [undefined, [{ id: 'a', type: 'function', function: { arguments: '{}' } }]]) {
      const message = answer({ content: 'Here.', ...(tool_calls ? { tool_calls } : {}) }, 'tool_calls');
      expect(message.content).toEqual([{ type: 'text', text: 'Here.' }]);
      expect(message.stop_reason).toBe('end_turn');
    }
  });

  it('never gives a tool_use an id the conversation already holds, nor one two calls share', () => {
    const later = frontEnd.parse({
      ...body,
      messages: [
        { role: 'user', content: 'Run it' },
        { role: 'assistant', content: [{ type: 'tool_use', id: '0', name: 'Bash', input: { command: 'ls' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: '0', content: 'a.txt' }] },
      ],
    });
    const calls = [
      { id: 0, type: 'function', function: { name: 'Bash', arguments: '{"command":"pwd"}' } },
      { id: 'twin', type: 'function', function: { name: 'Read', arguments: '{}' } },
      { id: 'twin', type: 'function', function: { name: 'Read', arguments: '{}' } },
    ];
    const message = JSON.parse(translate({ content: null, tool_calls: calls }, 'tool_calls', undefined, undefined, later).text) as { content: { id: string }[] };
    expect(message.content.map((block) => block.id)).toEqual(['toolu_req1_0', 'twin', 'toolu_req1_2']);
  });

  it('maps length to max_tokens', () => {
    expect(answer({ content: 'cut' }, 'length').stop_reason).toBe('max_tokens');
  });

  it('leaves out a call the token limit cut, never closing it into a command that runs', () => {
    const calls = [
      { id: 'a', type: 'function', function: { name: 'Bash', arguments: '{"command":"ls"}' } },
      { id: 'b', type: 'function', function: { name: 'Bash', arguments: '{"command":"rm -rf bu' } },
    ];
    const message = answer({ content: 'Running.', tool_calls: calls }, 'length');
    expect(message.content).toEqual([
      { type: 'text', text: 'Running.' },
      { type: 'tool_use', id: 'a', name: 'Bash', input: { command: 'ls' } },
    ]);
    expect(message.stop_reason).toBe('max_tokens');
  });
});

describe('jsonCompletion', () => {
  it.each([
    ['{"a":"x', '"}'],
    ['{"a":', 'null}'],
    ['{"a":1,', '"":null}'],
    ['{"a"', ':null}'],
    ['[1,', 'null]'],
    ['{"a":{"b":[1', ']}}'],
    ['{"a":"x\\', '\\"}'],
    ['', '{}'],
  ])('completes %s', (text, suffix) => {
    expect(jsonCompletion(text)).toBe(suffix);
    expect(() => JSON.parse(text + suffix)).not.toThrow();
  });

  it('leaves JSON that parses alone', () => {
    expect(jsonCompletion('{"a":1}')).toBeUndefined();
  });
});

describe('Anthropic errors', () => {
  it.each([
    [400, 400, 'invalid_request_error'],
    [422, 400, 'invalid_request_error'],
    [401, 401, 'authentication_error'],
    [403, 403, 'permission_error'],
    [404, 404, 'not_found_error'],
    [410, 404, 'not_found_error'],
    [413, 413, 'request_too_large'],
    [429, 429, 'rate_limit_error'],
    [500, 500, 'api_error'],
    [502, 502, 'api_error'],
    [503, 529, 'overloaded_error'],
    [504, 504, 'api_error'],
  ])('renders %i as %i %s', (status, expected, type) => {
    const rendered = frontEnd.renderError(new ProxyError({ status, message: `NIM said ${status}`, headers: { 'retry-after': '3', 'x-other': 'no' } }));
    expect(rendered.status).toBe(expected);
    expect(rendered.body).toEqual({ type: 'error', error: { type, message: `NIM said ${status}` } });
    expect(rendered.headers).toEqual({ 'retry-after': '3', ...(status === 401 || status === 403 ? { 'x-should-retry': 'false' } : {}) });
  });
});

describe('Anthropic errors a retry cannot mend', () => {
  it.each([401, 403])('tell the client not to retry a %i: Claude Code retries 401s for minutes unless told', (status) => {
    const rendered = frontEnd.renderError(new ProxyError({ status, message: 'Invalid proxy API key', headers: { 'www-authenticate': 'Bearer' } }));
    expect(rendered.headers).toEqual({ 'www-authenticate': 'Bearer', 'x-should-retry': 'false' });
  });

  it.each([400, 404, 429, 500, 503])('leave the SDK its own choice for a %i', (status) => {
    expect(frontEnd.renderError(new ProxyError({ status, message: 'x' })).headers?.['x-should-retry']).toBeUndefined();
  });
});

describe('tool calls written as MiniMax markup', () => {
  it('become tool_use blocks after the text, and the stop reason tool_use', () => {
    const markup = 'Checking.\n<minimax:tool_call>\n<invoke name="Read">\n<parameter name="file_path">/tmp/a.txt</parameter>\n</invoke>\n</minimax:tool_call>';
    const withTools = frontEnd.parse({ ...body, tools: [{ name: 'Read', input_schema: { type: 'object', properties: { file_path: { type: 'string' } } } }] });
    const message = JSON.parse(translate({ content: markup }, 'stop', undefined, 'minimaxai/minimax-m3', withTools).text) as { content: unknown; stop_reason: string };
    expect(message.content).toEqual([
      { type: 'text', text: 'Checking.\n' },
      { type: 'tool_use', id: 'toolu_req1_0', name: 'Read', input: { file_path: '/tmp/a.txt' } },
    ]);
    expect(message.stop_reason).toBe('tool_use');
    // Offered no tools, the model's markup is text it wrote (an example, say), as a tool parser would leave it.
    const plain = JSON.parse(translate({ content: markup }, 'stop', undefined, 'minimaxai/minimax-m3').text) as { content: unknown; stop_reason: string };
    expect(plain).toMatchObject({ content: [{ type: 'text', text: markup }], stop_reason: 'end_turn' });
  });
});
