import { ChatSseReader, ProxyError, StreamUsageTracker, type ChatStreamRead } from '@proxy/core';
import { describe, expect, it } from 'vitest';
import { createOpenAIResponsesFrontEnd } from './openai-responses-front-end.js';
import { chatSse, chunk, parseResponsesSse, testContext, type ResponsesEvent } from './responses-test-support.js';

const frontEnd = createOpenAIResponsesFrontEnd();

const body = (extra: Record<string, unknown> = {}) => frontEnd.parse({ model: 'nvidia:moonshotai/kimi-k2', input: 'hi', stream: true, ...extra });

/** The upstream bytes cut at `cuts`, read by core's SSE reader and encoded; `end` (or a failure) last. */
function encode(sse: string, options: { cuts?: number[]; fail?: ProxyError; requestBody?: ReturnType<typeof body>; upstreamModel?: string } = {}): string {
  const encoder = frontEnd.createStreamEncoder(options.requestBody ?? body(), options.upstreamModel ? { ...testContext(), upstreamModel: options.upstreamModel } : testContext());
  const reader = new ChatSseReader(new StreamUsageTracker());
  const bytes = Buffer.from(sse);
  let out = encoder.start();
  let from = 0;
  const reads: ChatStreamRead[] = [];
  for (const cut of [...(options.cuts ?? []), bytes.length]) {
    const read = reader.push(bytes.subarray(from, cut));
    if (read) reads.push(read);
    from = cut;
  }
  const last = reader.end();
  if (last) reads.push(last);
  for (const read of reads) out += encoder.read(read);
  return out + (options.fail ? encoder.error(options.fail) : encoder.end());
}

const types = (events: ResponsesEvent[]) => events.map((event) => event.type);
const completed = (events: ResponsesEvent[]) => events.at(-1)!.response as Record<string, unknown> & { output: Record<string, unknown>[]; usage: Record<string, unknown> };

const usage = { prompt_tokens: 12, completion_tokens: 30, total_tokens: 42, completion_tokens_details: { reasoning_tokens: 20 }, prompt_tokens_details: { cached_tokens: 4 } };

const reasoningAndText = chatSse([
  chunk({ role: 'assistant', content: '' }),
  chunk({ reasoning_content: 'Let me ' }),
  chunk({ reasoning_content: 'think — ünïcode ✓.' }),
  chunk({ content: 'Hello' }),
  chunk({ content: ', world!' }),
  chunk({}, 'stop'),
  { id: 'chatcmpl-1', object: 'chat.completion.chunk', choices: [], usage },
]);

describe('Responses stream encoder', () => {
  it('sends reasoning, then text, in the event order Codex and the SDK need, with usage at the end', () => {
    const events = parseResponsesSse(encode(reasoningAndText));
    expect(types(events)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.reasoning_summary_part.added',
      'response.reasoning_summary_text.delta',
      'response.reasoning_summary_text.delta',
      'response.reasoning_summary_text.done',
      'response.reasoning_summary_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));
    expect(events[0]!.response).toMatchObject({ id: 'resp_req123', object: 'response', status: 'in_progress', model: 'nvidia:moonshotai/kimi-k2', output: [], store: false });
    const response = completed(events);
    expect(response.status).toBe('completed');
    expect(response.output).toEqual([
      { id: 'rs_req123_0', type: 'reasoning', summary: [{ type: 'summary_text', text: 'Let me think — ünïcode ✓.' }] },
      { id: 'msg_req123_1', type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'Hello, world!', annotations: [], logprobs: [] }] },
    ]);
    expect(response.usage).toEqual({ input_tokens: 12, input_tokens_details: { cached_tokens: 4 }, output_tokens: 30, output_tokens_details: { reasoning_tokens: 20 }, total_tokens: 42 });
    expect(events[9]!.item).toEqual({ id: 'msg_req123_1', type: 'message', status: 'in_progress', role: 'assistant', content: [] });
    expect(events[15]!.item).toEqual(response.output[1]);
  });

  it("reads reasoning from newer vLLM builds' delta.reasoning too, once when a build sends both names", () => {
    const renamed = chatSse([chunk({ reasoning: 'Let me ' }), chunk({ reasoning: 'think — ünïcode ✓.' }), chunk({ content: 'Hello' }), chunk({ content: ', world!' }), chunk({}, 'stop'), { id: 'chatcmpl-1', object: 'chat.completion.chunk', choices: [], usage }]);
    expect(encode(renamed)).toBe(encode(reasoningAndText));
    const both = chatSse([chunk({ reasoning_content: 'Plan.', reasoning: 'Plan.' }), chunk({ content: 'Hi' }), chunk({}, 'stop')]);
    expect(completed(parseResponsesSse(encode(both))).output[0]).toMatchObject({ type: 'reasoning', summary: [{ text: 'Plan.' }] });
  });

  it('carries the reasoning in encrypted_content when the request includes it, on the done item and in response.completed', () => {
    const plain = completed(parseResponsesSse(encode(reasoningAndText)));
    expect(plain.output[0]).not.toHaveProperty('encrypted_content');
    const events = parseResponsesSse(encode(reasoningAndText, { requestBody: body({ include: ['reasoning.encrypted_content'] }) }));
    const done = events.find((event) => event.type === 'response.output_item.done')!.item as Record<string, unknown>;
    expect(done).toMatchObject({ id: 'rs_req123_0', type: 'reasoning', summary: [{ text: 'Let me think — ünïcode ✓.' }], encrypted_content: expect.any(String) });
    expect(completed(events).output[0]).toEqual(done);
    const replayed = frontEnd.toChatRequest(
      frontEnd.parse({ model: 'm', input: [{ role: 'user', content: 'hi' }, { type: 'reasoning', summary: [], encrypted_content: done.encrypted_content }, { role: 'assistant', content: 'Hello, world!' }] }),
      testContext({ replayReasoning: true }),
    );
    expect(replayed.messages[1]).toEqual({ role: 'assistant', content: 'Hello, world!', reasoning_content: 'Let me think — ünïcode ✓.' });
  });

  it('gives the same events whatever the byte boundary the upstream stream was cut at', () => {
    const whole = encode(reasoningAndText);
    const length = Buffer.byteLength(reasoningAndText);
    for (let cut = 1; cut < length; cut += 1) expect(encode(reasoningAndText, { cuts: [cut] })).toBe(whole);
    // Every byte its own read.
    expect(encode(reasoningAndText, { cuts: Array.from({ length: length - 1 }, (_, i) => i + 1) })).toBe(whole);
  });

  it('reads <think> reasoning out of content, whatever the chunking of the tags', () => {
    const content = '\n<think>plan the answer</think>\n\nThe answer is 4.';
    const expected = encode(chatSse([chunk({ reasoning_content: 'plan the answer' }), chunk({ content: 'The answer is 4.' }), chunk({}, 'stop')]));
    for (let cut = 1; cut < content.length; cut += 1) {
      for (const second of [cut + 1, cut + 3]) {
        const pieces = [content.slice(0, cut), content.slice(cut, second), content.slice(second)].filter(Boolean);
        const sse = chatSse([...pieces.map((piece) => chunk({ content: piece })), chunk({}, 'stop')]);
        const output = completed(parseResponsesSse(encode(sse))).output;
        expect(output, JSON.stringify(pieces)).toEqual(completed(parseResponsesSse(expected)).output);
      }
    }
    // Content that only mentions the tag later stays text.
    const plain = completed(parseResponsesSse(encode(chatSse([chunk({ content: 'Use <think> tags' }), chunk({}, 'stop')])))).output;
    expect(plain).toEqual([expect.objectContaining({ type: 'message', content: [expect.objectContaining({ text: 'Use <think> tags' })] })]);
  });

  it('repairs NIM tool-call deltas: no id after the first, the name repeated, parallel calls interleaved, numeric ids', () => {
    const sse = chatSse([
      chunk({ content: 'Running both.' }),
      chunk({ tool_calls: [{ index: 0, id: 7, type: 'function', function: { name: 'exec_command', arguments: '' } }] }),
      chunk({ tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'multi_agent_v1__spawn_agent', arguments: '{"a' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { name: 'exec_command', arguments: '{"cmd":' } }] }),
      chunk({ tool_calls: [{ index: 1, function: { name: 'multi_agent_v1__spawn_agent', arguments: '":1}' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '"ls"}' } }] }),
      chunk({}, 'tool_calls'),
    ]);
    const requestBody = body({ tools: [{ type: 'function', name: 'exec_command' }, { type: 'namespace', name: 'multi_agent_v1', tools: [{ type: 'function', name: 'spawn_agent' }] }] });
    const whole = encode(sse, { requestBody });
    for (let cut = 1; cut < sse.length; cut += 7) expect(encode(sse, { requestBody, cuts: [cut] })).toBe(whole);
    const events = parseResponsesSse(whole);
    const response = completed(events);
    expect(response.output).toEqual([
      expect.objectContaining({ type: 'message' }),
      { id: 'fc_req123_1', type: 'function_call', status: 'completed', call_id: '7', name: 'exec_command', arguments: '{"cmd":"ls"}' },
      { id: 'fc_req123_2', type: 'function_call', status: 'completed', call_id: 'call_b', name: 'spawn_agent', namespace: 'multi_agent_v1', arguments: '{"a":1}' },
    ]);
    // Each call's deltas went to its own item, and each .done carries its whole arguments.
    const deltas = (item: string) => events.filter((event) => event.type === 'response.function_call_arguments.delta' && event.item_id === item).map((event) => event.delta).join('');
    expect(deltas('fc_req123_1')).toBe('{"cmd":"ls"}');
    expect(deltas('fc_req123_2')).toBe('{"a":1}');
    const done = events.filter((event) => event.type === 'response.output_item.done').map((event) => event.item);
    expect(done).toEqual(response.output);
    const added = events.filter((event) => event.type === 'response.output_item.added');
    expect(added.map((event) => [event.output_index, (event.item as { type: string }).type])).toEqual([[0, 'message'], [1, 'function_call'], [2, 'function_call']]);
  });

  it('streams only the first call when the request allows one (parallel_tool_calls: false), and says so', () => {
    const sse = chatSse([
      chunk({ tool_calls: [{ index: 0, id: 'a', type: 'function', function: { name: 'exec_command', arguments: '{"cmd":' } }] }),
      chunk({ tool_calls: [{ index: 1, id: 'b', type: 'function', function: { name: 'exec_command', arguments: '{"cmd":"pwd"}' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '"ls"}' } }] }),
      chunk({}, 'tool_calls'),
    ]);
    const tools = [{ type: 'function', name: 'exec_command' }];
    const requestBody = body({ tools, parallel_tool_calls: false });
    const context = testContext();
    const encoder = frontEnd.createStreamEncoder(requestBody, context);
    const reader = new ChatSseReader(new StreamUsageTracker());
    const read = reader.push(Buffer.from(sse));
    const events = parseResponsesSse(encoder.start() + (read ? encoder.read(read) : '') + encoder.end());
    expect(completed(events).output).toEqual([{ id: 'fc_req123_0', type: 'function_call', status: 'completed', call_id: 'a', name: 'exec_command', arguments: '{"cmd":"ls"}' }]);
    // Nothing of the second call went out: no item, no delta.
    expect(events.filter((event) => event.type === 'response.output_item.added')).toHaveLength(1);
    expect(JSON.stringify(events)).not.toContain('pwd');
    expect(context.lines).toEqual([expect.objectContaining({ level: 'warn', fields: { tool_calls_left_out: 1 } })]);
    expect(completed(parseResponsesSse(encode(sse, { requestBody: body({ tools }) }))).output).toHaveLength(2);
  });

  it('gives a call without an id a string call_id, and keeps calls apart that a build numbered all 0', () => {
    const noId = chatSse([chunk({ tool_calls: [{ index: 0, id: null, function: { name: 'a', arguments: '{}' } }] }), chunk({}, 'tool_calls')]);
    expect(completed(parseResponsesSse(encode(noId))).output).toEqual([expect.objectContaining({ name: 'a', call_id: 'call_req123_0', arguments: '{}' })]);
    const allZero = chatSse([
      chunk({ tool_calls: [{ index: 0, id: 'x', function: { name: 'a', arguments: '{"n":' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '1}' } }] }),
      chunk({ tool_calls: [{ index: 0, id: 'y', function: { name: 'b', arguments: '{}' } }] }),
      chunk({}, 'tool_calls'),
    ]);
    const output = completed(parseResponsesSse(encode(allZero))).output;
    expect(output.map((item) => [item.name, item.call_id, item.arguments])).toEqual([['a', 'x', '{"n":1}'], ['b', 'y', '{}']]);
  });

  it('gives each call of an answer its own call_id when NIM repeats one across parallel calls (as DeepSeek, GLM and Kimi APIs were seen to)', () => {
    const sse = chatSse([
      chunk({ tool_calls: [{ index: 0, id: 'grep:3', type: 'function', function: { name: 'exec_command', arguments: '{"cmd":"a"}' } }] }),
      chunk({ tool_calls: [{ index: 1, id: 'grep:3', type: 'function', function: { name: 'exec_command', arguments: '{"cmd":"b"}' } }] }),
      chunk({}, 'tool_calls'),
    ]);
    const events = parseResponsesSse(encode(sse));
    const output = completed(events).output;
    expect(output.map((item) => [item.call_id, item.arguments])).toEqual([
      ['grep:3', '{"cmd":"a"}'],
      ['call_req123_1', '{"cmd":"b"}'],
    ]);
    // The added item already carries the id its done item and the response keep.
    const added = events.filter((event) => event.type === 'response.output_item.added').map((event) => (event.item as { call_id: string }).call_id);
    expect(added).toEqual(['grep:3', 'call_req123_1']);
  });

  it("closes a call's argument JSON that NIM cut short (GLM), after what was streamed of it", () => {
    const sse = chatSse([
      chunk({ tool_calls: [{ index: 0, id: 'c1', function: { name: 'exec_command', arguments: '{"cmd":["ls",' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '"-la' } }] }),
      chunk({}, 'tool_calls'),
    ]);
    const events = parseResponsesSse(encode(sse));
    const [call] = completed(events).output;
    expect(JSON.parse(call!.arguments as string)).toEqual({ cmd: ['ls', '-la'] });
    // The client's accumulated deltas and the .done events agree with the item.
    const deltas = events.filter((event) => event.type === 'response.function_call_arguments.delta').map((event) => event.delta).join('');
    expect(deltas).toBe(call!.arguments);
    expect(events.find((event) => event.type === 'response.function_call_arguments.done')).toMatchObject({ arguments: call!.arguments });
  });

  it('sends a call cut by the token limit as it came and incomplete, never closed into a command that runs', () => {
    const sse = chatSse([
      chunk({ tool_calls: [{ index: 0, id: 'c1', function: { name: 'exec_command', arguments: '{"cmd":"echo first > a.txt; echo se' } }] }),
      chunk({}, 'length'),
    ]);
    const events = parseResponsesSse(encode(sse));
    const done = events.find((event) => event.type === 'response.output_item.done')!.item as Record<string, unknown>;
    expect(done).toMatchObject({ type: 'function_call', status: 'incomplete', arguments: '{"cmd":"echo first > a.txt; echo se' });
    expect(events.find((event) => event.type === 'response.function_call_arguments.done')).toMatchObject({ arguments: '{"cmd":"echo first > a.txt; echo se' });
    expect(events.at(-1)).toMatchObject({ type: 'response.incomplete', response: { output: [{ status: 'incomplete' }] } });
    // A call that was whole when the tokens ran out is an ordinary one.
    const whole = parseResponsesSse(encode(chatSse([chunk({ tool_calls: [{ index: 0, id: 'c1', function: { name: 'f', arguments: '{}' } }] }), chunk({}, 'length')])));
    expect(completed(whole).output[0]).toMatchObject({ status: 'completed', arguments: '{}' });
  });

  it('leaves out a call NIM streamed without a function name, as /v1/messages does', () => {
    const sse = chatSse([
      chunk({ tool_calls: [{ index: 0, id: 'c0', function: { arguments: '{"x":1}' } }] }),
      chunk({ tool_calls: [{ index: 1, id: 'c1', function: { name: 'exec_command', arguments: '{}' } }] }),
      chunk({}, 'tool_calls'),
    ]);
    const events = parseResponsesSse(encode(sse));
    expect(completed(events).output.map((item) => [item.call_id, item.name])).toEqual([['c1', 'exec_command']]);
    expect(events.filter((event) => event.type === 'response.output_item.added')).toHaveLength(1);
  });

  it('fails the response, never completes it, when the upstream stream is cut', () => {
    const cut = chatSse([chunk({ content: 'Hel' })], false);
    const events = parseResponsesSse(encode(cut));
    expect(types(events)).not.toContain('response.completed');
    expect(events.at(-1)).toMatchObject({ type: 'response.failed', response: { status: 'failed', error: { code: 'server_error', message: expect.stringContaining('before the model finished') } } });

    const failed = parseResponsesSse(encode(chatSse([chunk({ content: 'Hel' })], false), { fail: new ProxyError({ status: 504, code: 'upstream_timeout', message: 'NIM went silent' }) }));
    expect(failed.at(-1)).toMatchObject({ type: 'response.failed', response: { status: 'failed', error: { code: 'upstream_timeout', message: 'NIM went silent' } } });
    expect(types(failed).filter((type) => type.startsWith('response.') && !type.includes('.', 9))).toEqual(['response.created', 'response.in_progress', 'response.failed']);
  });

  it("fails the response with the upstream's reason when NIM reports an error inside its stream", () => {
    const events = parseResponsesSse(encode(chatSse([chunk({ content: 'Hel' }), { error: { message: 'Engine crashed' } } as never, chunk({ content: 'lo' }), chunk({}, 'stop')])));
    expect(types(events)).not.toContain('response.completed');
    expect(events.at(-1)).toMatchObject({ type: 'response.failed', response: { error: { code: 'upstream_stream_error', message: expect.stringContaining('Engine crashed') } } });
    expect(events.filter((event) => event.type === 'response.output_text.delta').map((event) => event.delta)).toEqual(['Hel']);
  });

  it('ends a cut-off answer as response.incomplete', () => {
    const events = parseResponsesSse(encode(chatSse([chunk({ content: 'Hel' }), chunk({}, 'length')])));
    expect(events.at(-1)).toMatchObject({ type: 'response.incomplete', response: { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } } });
  });

  it('marks the message the token limit cut as incomplete, as OpenAI does, and an earlier finished item as completed', () => {
    const events = parseResponsesSse(encode(chatSse([chunk({ reasoning_content: 'Plan.' }), chunk({ content: 'Hel' }), chunk({}, 'length')])));
    const [reasoning, message] = completed(events).output;
    expect(reasoning).toMatchObject({ type: 'reasoning' });
    expect(message).toMatchObject({ type: 'message', status: 'incomplete', content: [{ text: 'Hel' }] });
    expect(events.filter((event) => event.type === 'response.output_item.done').at(-1)!.item).toEqual(message);
    // A normal finish leaves the message completed.
    const [done] = completed(parseResponsesSse(encode(chatSse([chunk({ content: 'Hello' }), chunk({}, 'stop')])))).output;
    expect(done).toMatchObject({ type: 'message', status: 'completed' });
  });

  it("keeps a silent stream alive with OpenAI's keepalive event, which Codex counts as activity (an SSE comment it does not)", () => {
    const encoder = frontEnd.createStreamEncoder(body(), testContext());
    const reader = new ChatSseReader(new StreamUsageTracker());
    let out = encoder.start() + encoder.keepalive() + encoder.keepalive();
    out += encoder.read(reader.push(Buffer.from(chatSse([chunk({ content: 'Hi' }), chunk({}, 'stop')])))!);
    out += encoder.keepalive() + encoder.end();
    const events = parseResponsesSse(out);
    expect(types(events).slice(0, 4)).toEqual(['response.created', 'response.in_progress', 'keepalive', 'keepalive']);
    expect(events[2]).toEqual({ type: 'keepalive', sequence_number: 2 });
    // One sequence for every event, keep-alives included.
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));
    expect(types(events).at(-1)).toBe('response.completed');
  });

  it('estimates usage when NIM reported none', () => {
    const events = parseResponsesSse(encode(chatSse([chunk({ content: 'x'.repeat(40) }), chunk({}, 'stop')])));
    const usage = completed(events).usage as { input_tokens: number; output_tokens: number; total_tokens: number };
    expect(usage.output_tokens).toBe(10);
    // The prompt is estimated too: Codex compacts its context by input_tokens.
    expect(usage.input_tokens).toBeGreaterThan(0);
    expect(usage.total_tokens).toBe(usage.input_tokens + 10);
  });

  it('turns tool calls a MiniMax model wrote as markup in its text into function_call items, named as the client named its tools', () => {
    const markup = 'Running.\n<minimax:tool_call>\n<invoke name="multi_agent_v1__spawn_agent">\n<parameter name="count">2</parameter>\n</invoke>\n</minimax:tool_call>';
    const sse = chatSse([...markup.match(/[\s\S]{1,4}/g)!.map((piece) => chunk({ content: piece })), chunk({}, 'stop')]);
    const requestBody = body({
      tools: [{ type: 'namespace', name: 'multi_agent_v1', tools: [{ type: 'function', name: 'spawn_agent', parameters: { type: 'object', properties: { count: { type: 'integer' } } } }] }],
    });
    const upstreamModel = 'minimaxai/minimax-m3';
    const whole = encode(sse, { requestBody, upstreamModel });
    for (let cut = 1; cut < sse.length; cut += 11) expect(encode(sse, { requestBody, upstreamModel, cuts: [cut] })).toBe(whole);
    const response = completed(parseResponsesSse(whole));
    expect(response.status).toBe('completed');
    expect(response.output).toEqual([
      expect.objectContaining({ type: 'message', content: [expect.objectContaining({ text: 'Running.\n' })] }),
      { id: 'fc_req123_1', type: 'function_call', status: 'completed', call_id: 'call_req123_0', name: 'spawn_agent', namespace: 'multi_agent_v1', arguments: '{"count":2}' },
    ]);
  });
});
