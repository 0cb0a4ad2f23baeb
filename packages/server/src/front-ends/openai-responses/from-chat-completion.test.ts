import { ChatSseReader, createUpstreamHttpError, ProxyError, StreamUsageTracker, type ChatCompletionResult } from '@proxy/core';
import { describe, expect, it } from 'vitest';
import { createOpenAIResponsesFrontEnd } from './openai-responses-front-end.js';
import { chatSse, chunk, testContext } from './responses-test-support.js';

const frontEnd = createOpenAIResponsesFrontEnd();

function answer(message: Record<string, unknown>, extra: Record<string, unknown> = {}, request: Record<string, unknown> = {}, upstreamModel?: string) {
  const body = { id: 17, object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', ...message }, finish_reason: 'stop' }], ...extra };
  const result: ChatCompletionResult = { rawBody: JSON.stringify(body), body, usage: undefined };
  const parsed = frontEnd.parse({ model: 'nvidia:moonshotai/kimi-k2', input: 'hi', instructions: 'Be brief.', ...request });
  const context = upstreamModel ? { ...testContext(), upstreamModel } : testContext();
  return JSON.parse(frontEnd.fromChatCompletion(result, parsed, context).text) as Record<string, unknown> & { output: Record<string, unknown>[] };
}

describe('chat completion → Responses response', () => {
  it("closes a call's argument JSON that NIM cut short, and takes arguments sent as an object", () => {
    const response = answer({
      tool_calls: [
        { id: 'c1', type: 'function', function: { name: 'exec_command', arguments: '{"cmd":"ls' } },
        { id: 'c2', type: 'function', function: { name: 'exec_command', arguments: { cmd: 'pwd' } } },
      ],
    });
    expect(response.output.map((item) => JSON.parse(item.arguments as string))).toEqual([{ cmd: 'ls' }, { cmd: 'pwd' }]);
  });

  it('keeps only the first call when the request allows one (parallel_tool_calls: false)', () => {
    const calls = [
      { id: 'c1', type: 'function', function: { name: 'exec_command', arguments: '{"cmd":"ls"}' } },
      { id: 'c2', type: 'function', function: { name: 'exec_command', arguments: '{"cmd":"pwd"}' } },
    ];
    const tools = [{ type: 'function', name: 'exec_command' }];
    const one = answer({ content: null, tool_calls: calls }, {}, { tools, parallel_tool_calls: false });
    expect(one.output).toEqual([expect.objectContaining({ type: 'function_call', call_id: 'c1', arguments: '{"cmd":"ls"}' })]);
    expect(answer({ content: null, tool_calls: calls }, {}, { tools }).output).toHaveLength(2);
  });

  it('gives each call its own call_id when NIM repeats one across parallel calls', () => {
    const call = (args: string) => ({ id: 'grep:3', type: 'function', function: { name: 'exec_command', arguments: args } });
    const response = answer({ content: null, tool_calls: [call('{"cmd":"a"}'), call('{"cmd":"b"}')] });
    expect(response.output.map((item) => item.call_id)).toEqual(['grep:3', 'call_req123_1']);
  });

  it("reads reasoning from newer vLLM builds' message.reasoning too, once when a build sends both names", () => {
    expect(answer({ content: 'Hi', reasoning: 'Plan.' }).output[0]).toEqual({ id: 'rs_req123_0', type: 'reasoning', summary: [{ type: 'summary_text', text: 'Plan.' }] });
    expect(answer({ content: 'Hi', reasoning: 'Plan.', reasoning_content: 'Plan.' }).output[0]).toMatchObject({ summary: [{ text: 'Plan.' }] });
  });

  it("carries the reasoning in encrypted_content when the request includes it, which the proxy reads back", () => {
    expect(answer({ content: 'Hi', reasoning_content: 'Plan.' }).output[0]).not.toHaveProperty('encrypted_content');
    // The AI SDK's @ai-sdk/openai with store: false sends back only reasoning items that carry encrypted_content:
    // without it, a model that must see its reasoning again (replay_reasoning) loses it and NIM refuses the turn.
    const reasoning = answer({ content: 'Hi', reasoning_content: 'Plan — ünïcode ✓.' }, {}, { include: ['reasoning.encrypted_content'] }).output[0]!;
    expect(reasoning).toMatchObject({ id: 'rs_req123_0', type: 'reasoning', summary: [{ type: 'summary_text', text: 'Plan — ünïcode ✓.' }], encrypted_content: expect.any(String) });
    const replayed = frontEnd.toChatRequest(
      frontEnd.parse({ model: 'm', input: [{ role: 'user', content: 'hi' }, { type: 'reasoning', summary: [], encrypted_content: reasoning.encrypted_content }, { role: 'assistant', content: 'Hi' }] }),
      testContext({ replayReasoning: true }),
    );
    expect(replayed.messages[1]).toEqual({ role: 'assistant', content: 'Hi', reasoning_content: 'Plan — ünïcode ✓.' });
  });

  it('leaves out a tool call without a function name', () => {
    const response = answer({ tool_calls: [{ id: 'c0', type: 'function', function: { arguments: '{}' } }, { id: 'c1', type: 'function', function: { name: 'exec_command', arguments: '{}' } }] });
    expect(response.output.map((item) => item.call_id)).toEqual(['c1']);
  });

  it('answers with the response object, output_text and usage', () => {
    const response = answer(
      { content: 'Hello!' },
      { usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7, completion_tokens_details: { reasoning_tokens: 0 } } },
      { temperature: 0.5, store: true },
    );
    expect(response).toEqual({
      id: 'resp_req123',
      object: 'response',
      created_at: 1_800_000_000,
      model: 'nvidia:moonshotai/kimi-k2',
      status: 'completed',
      error: null,
      incomplete_details: null,
      background: false,
      instructions: 'Be brief.',
      max_output_tokens: null,
      parallel_tool_calls: true,
      previous_response_id: null,
      reasoning: { effort: null, summary: null },
      store: false,
      temperature: 0.5,
      text: { format: { type: 'text' } },
      tool_choice: 'auto',
      tools: [],
      top_p: null,
      truncation: 'disabled',
      metadata: {},
      output: [{ id: 'msg_req123_0', type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'Hello!', annotations: [], logprobs: [] }] }],
      output_text: 'Hello!',
      usage: { input_tokens: 5, input_tokens_details: { cached_tokens: 0 }, output_tokens: 2, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 7 },
    });
  });

  it('puts reasoning first (reasoning_content or <think> content), then text, then calls named as the client named them', () => {
    const tools = [{ type: 'namespace', name: 'multi_agent_v1', tools: [{ type: 'function', name: 'spawn_agent' }] }, { type: 'function', name: 'exec_command' }];
    const response = answer(
      {
        content: '<think>who to ask</think>\n\nAsking.',
        tool_calls: [
          { id: 3, type: 'function', function: { name: 'multi_agent_v1__spawn_agent', arguments: '{"task":"x"}' } },
          { id: null, type: 'function', function: { name: 'exec_command', arguments: { cmd: 'ls' } } },
        ],
      },
      {},
      { tools },
    );
    expect(response.output).toEqual([
      { id: 'rs_req123_0', type: 'reasoning', summary: [{ type: 'summary_text', text: 'who to ask' }] },
      expect.objectContaining({ id: 'msg_req123_1', type: 'message', content: [expect.objectContaining({ text: 'Asking.' })] }),
      { id: 'fc_req123_2', type: 'function_call', status: 'completed', call_id: '3', name: 'spawn_agent', namespace: 'multi_agent_v1', arguments: '{"task":"x"}' },
      { id: 'fc_req123_3', type: 'function_call', status: 'completed', call_id: 'call_req123_1', name: 'exec_command', arguments: '{"cmd":"ls"}' },
    ]);
    expect(response.output_text).toBe('Asking.');
    expect(answer({ content: null, reasoning_content: 'hmm' }).output).toEqual([{ id: 'rs_req123_0', type: 'reasoning', summary: [{ type: 'summary_text', text: 'hmm' }] }]);
  });

  it('reports a cut-off answer as incomplete', () => {
    const body = { choices: [{ message: { content: 'Hel' }, finish_reason: 'length' }] };
    const response = JSON.parse(frontEnd.fromChatCompletion({ rawBody: '', body, usage: undefined }, frontEnd.parse({ model: 'm', input: 'hi' }), testContext()).text);
    expect(response).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' }, output_text: 'Hel' });
    // The message the limit cut says so itself, as OpenAI's does.
    expect(response.output).toMatchObject([{ type: 'message', status: 'incomplete' }]);
  });

  it('sends a call cut by the token limit as it came and incomplete, not closed into one that runs', () => {
    const calls = [
      { id: 'c1', type: 'function', function: { name: 'exec_command', arguments: '{"cmd":"rm -rf /tmp/x; echo' } },
      { id: 'c0', type: 'function', function: { name: 'exec_command', arguments: '{"cmd":"ls"}' } },
    ];
    const body = { choices: [{ message: { tool_calls: calls }, finish_reason: 'length' }] };
    const response = JSON.parse(frontEnd.fromChatCompletion({ rawBody: '', body, usage: undefined }, frontEnd.parse({ model: 'm', input: 'hi' }), testContext()).text);
    expect(response.output).toMatchObject([
      { status: 'incomplete', arguments: '{"cmd":"rm -rf /tmp/x; echo' },
      { status: 'completed', arguments: '{"cmd":"ls"}' },
    ]);
  });
});

describe('usage for accounting', () => {
  const request = frontEnd.parse({ model: 'nvidia:moonshotai/kimi-k2', input: 'Say hello', instructions: 'Be brief.' });
  const translate = (extra: Record<string, unknown>) => {
    const body = { choices: [{ index: 0, message: { role: 'assistant', reasoning_content: 'Greet.', content: 'Hello, world!' }, finish_reason: 'stop' }], ...extra };
    return frontEnd.fromChatCompletion({ rawBody: JSON.stringify(body), body, usage: undefined }, request, testContext());
  };

  it("is NIM's own when it reported usage: no estimate is made", () => {
    expect(translate({ usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 } }).estimatedUsage).toBeUndefined();
  });

  it('is the estimate the response carries when NIM reported none, the one a stream of the same answer accounts', () => {
    const translated = translate({});
    const usage = JSON.parse(translated.text).usage;
    expect(translated.estimatedUsage).toEqual({ promptTokens: usage.input_tokens, completionTokens: usage.output_tokens, totalTokens: usage.total_tokens });
    expect(usage.input_tokens).toBeGreaterThan(0);

    const encoder = frontEnd.createStreamEncoder({ ...request, stream: true }, testContext());
    const reader = new ChatSseReader(new StreamUsageTracker());
    encoder.start();
    const read = reader.push(Buffer.from(chatSse([chunk({ reasoning_content: 'Greet.' }), chunk({ content: 'Hello, world!' }), chunk({}, 'stop')])));
    if (read) encoder.read(read);
    const last = reader.end();
    if (last) encoder.read(last);
    encoder.end();
    expect(translated.estimatedUsage).toEqual(encoder.estimatedUsage);
  });
});

describe('errors and keys', () => {
  it("renders OpenAI's error shape with the error's status and headers", () => {
    const rendered = frontEnd.renderError(new ProxyError({ status: 429, message: 'Slow down', headers: { 'retry-after': '3' } }));
    expect(rendered).toEqual({ status: 429, headers: { 'retry-after': '3' }, body: { error: { message: 'Slow down', type: 'rate_limit_error', param: null, code: null } } });
  });

  it("names NIM's context overflow context_length_exceeded, as OpenAI does, before the stream and in response.failed", () => {
    // As the connector makes NIM's 400 into an error (core's createUpstreamHttpError, which gives the code).
    const fromNim = (message: string) =>
      createUpstreamHttpError({
        backend: 'nvidia',
        status: 400,
        bodyText: JSON.stringify({ object: 'error', message, type: 'BadRequestError', param: null, code: 400 }),
        headers: {},
        url: 'http://nim/v1/chat/completions',
        secrets: [],
        explanation: 'NVIDIA NIM rejected the request (HTTP 400)',
      });
    const said = "This model's maximum context length is 8192 tokens. However, you requested 9000 tokens (9000 in the messages, 0 in the completion).";
    const vllm = `NVIDIA NIM rejected the request (HTTP 400): ${said}`;
    const overflow = fromNim(said);
    expect(frontEnd.renderError(overflow).body).toEqual({ error: { message: vllm, type: 'invalid_request_error', param: 'messages', code: 'context_length_exceeded' } });
    const newer = fromNim('The decoder prompt (length 9000) is longer than the maximum model length of 8192.');
    expect(frontEnd.renderError(newer).body).toMatchObject({ error: { code: 'context_length_exceeded' } });
    // Codex reads the code of response.failed: context_length_exceeded is its context-window error.
    const encoder = frontEnd.createStreamEncoder(frontEnd.parse({ model: 'm', input: 'hi', stream: true }), testContext());
    encoder.start();
    expect(encoder.error(overflow)).toContain('"code":"context_length_exceeded"');
    // Other errors keep their code, and a code the upstream gave is kept.
    expect(frontEnd.renderError(new ProxyError({ status: 400, message: 'Bad tool schema' })).body).toMatchObject({ error: { code: null } });
    expect(frontEnd.renderError(new ProxyError({ status: 400, message: vllm, code: 'own_code' })).body).toMatchObject({ error: { code: 'own_code' } });
  });

  it('reads the key from Authorization: Bearer only', () => {
    expect(frontEnd.readApiKey({ authorization: 'Bearer sk-1' })).toBe('sk-1');
    expect(frontEnd.readApiKey({ 'x-api-key': 'sk-1' })).toBeUndefined();
    expect(frontEnd.apiKeyHint).toContain('Authorization: Bearer');
  });
});

describe('tool calls written as MiniMax markup', () => {
  it('become function_call items after the message', () => {
    const response = answer({ content: '<minimax:tool_call><invoke name="exec_command"><parameter name="cmd">ls</parameter></invoke></minimax:tool_call>' }, {}, { tools: [{ type: 'function', name: 'exec_command' }] }, 'minimaxai/minimax-m3');
    expect(response.output).toEqual([expect.objectContaining({ type: 'function_call', name: 'exec_command', arguments: '{"cmd":"ls"}', status: 'completed' })]);
  });
});
