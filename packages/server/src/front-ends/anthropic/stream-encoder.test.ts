import { ProxyError } from '@proxy/core';
import { describe, expect, it } from 'vitest';
import type { MessagesRequest } from './messages-schema.js';
import { estimateInputTokens, roughInputTokens } from './estimate-tokens.js';
import { AnthropicStreamEncoder } from './stream-encoder.js';
import { accumulate, anthropicEvents, chunk, context, readsOf, sse } from './test-support.js';

const body: MessagesRequest = { model: 'claude-sonnet-4-5', max_tokens: 1000, stream: true, messages: [{ role: 'user', content: 'Write the file, please' }] };

/** The whole Anthropic stream for upstream SSE text delivered in the given pieces. */
function encode(pieces: readonly Uint8Array[], request: MessagesRequest = body, ctx = context()): { text: string; encoder: AnthropicStreamEncoder } {
  const encoder = new AnthropicStreamEncoder(request, ctx);
  let text = encoder.start();
  for (const read of readsOf(pieces)) text += encoder.read(read);
  text += encoder.end();
  return { text, encoder };
}

const whole = (text: string) => [Buffer.from(text)];

/** Every way of cutting `text` in two at a byte boundary. */
function everySplit(text: string): Uint8Array[][] {
  const bytes = Buffer.from(text);
  const splits: Uint8Array[][] = [];
  for (let at = 1; at < bytes.length; at++) splits.push([bytes.subarray(0, at), bytes.subarray(at)]);
  return splits;
}

describe('AnthropicStreamEncoder', () => {
  it('streams text as message_start, one text block, message_delta with usage, message_stop', () => {
    const upstream = sse([chunk({ role: 'assistant', content: '' }), chunk({ content: 'Hello' }), chunk({ content: ' world' }), chunk({}, 'stop')]);
    const { text } = encode(whole(upstream));
    const events = anthropicEvents(text);
    expect(events.map((e) => e.event)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(events[0]!.data.message).toMatchObject({
      id: 'msg_req1',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5',
      content: [],
      stop_reason: null,
      usage: { input_tokens: expect.any(Number), output_tokens: 0 },
    });
    expect(events[0]!.data.message.usage.input_tokens).toBeGreaterThan(3);
    const message = accumulate(events);
    expect(message.content).toEqual([{ type: 'text', text: 'Hello world' }]);
    expect(message.stopReason).toBe('end_turn');
    expect(events.at(-2)!.data.usage.output_tokens).toBeGreaterThan(0);
  });

  it('turns reasoning_content into a thinking block with a signature, before the text', () => {
    const upstream = sse([chunk({ reasoning_content: 'Let me think' }), chunk({ reasoning_content: ' hard.' }), chunk({ content: 'Done.' }), chunk({}, 'stop')]);
    const message = accumulate(anthropicEvents(encode(whole(upstream)).text));
    expect(message.content).toEqual([
      { type: 'thinking', thinking: 'Let me think hard.', signature: expect.stringMatching(/.+/) },
      { type: 'text', text: 'Done.' },
    ]);
  });

  it("reads reasoning under vLLM's newer name too, and under either name when a build sends both", () => {
    const upstream = sse([chunk({ reasoning: 'Let me think' }), chunk({ reasoning_content: '', reasoning: ' hard.' }), chunk({ content: 'Done.' }), chunk({}, 'stop')]);
    const { text } = encode(whole(upstream));
    expect(accumulate(anthropicEvents(text)).content[0]).toEqual({ type: 'thinking', thinking: 'Let me think hard.', signature: expect.stringMatching(/.+/) });
  });

  it('splits <think>…</think> in content into thinking and text, whatever byte the upstream cut at', () => {
    const upstream = sse([
      chunk({ content: '<thi' }),
      chunk({ content: 'nk>\nÉtude du problème 🤔' }),
      chunk({ content: ' encore</th' }),
      chunk({ content: 'ink>\n\nRéponse: 42 <b>' }),
      chunk({}, 'stop'),
    ]);
    const expected = [
      { type: 'thinking', thinking: '\nÉtude du problème 🤔 encore', signature: expect.any(String) },
      { type: 'text', text: 'Réponse: 42 <b>' },
    ];
    expect(accumulate(anthropicEvents(encode(whole(upstream)).text)).content).toEqual(expected);
    for (const pieces of everySplit(upstream)) {
      expect(accumulate(anthropicEvents(encode(pieces).text)).content).toEqual(expected);
    }
  });

  it('leaves an answer that only mentions <think> as text, as the Responses front end does', () => {
    const upstream = sse([chunk({ content: 'Wrap it in ' }), chunk({ content: '<think>' }), chunk({ content: ' tags.</think> Done.' }), chunk({}, 'stop')]);
    const expected = [{ type: 'text', text: 'Wrap it in <think> tags.</think> Done.' }];
    for (const pieces of [whole(upstream), ...everySplit(upstream)]) {
      expect(accumulate(anthropicEvents(encode(pieces).text)).content).toEqual(expected);
    }
  });

  it('opens no text block for the blank lines a model writes before its tool call', () => {
    const upstream = sse([
      chunk({ content: '\n\n' }),
      chunk({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'Read', arguments: '{"path":"/a"}' } }] }),
      chunk({}, 'tool_calls'),
    ]);
    const expected = [{ type: 'tool_use', id: 'call_1', name: 'Read', input: { path: '/a' } }];
    for (const pieces of [whole(upstream), ...everySplit(upstream)]) {
      expect(accumulate(anthropicEvents(encode(pieces).text)).content).toEqual(expected);
    }
  });

  it('keeps apart the calls of a build that numbers every call 0, and takes arguments sent as an object', () => {
    const upstream = sse([
      chunk({ tool_calls: [{ index: 0, id: 'x', type: 'function', function: { name: 'Read', arguments: '{"path":' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '"/a"}' } }] }),
      chunk({ tool_calls: [{ index: 0, id: 'y', type: 'function', function: { name: 'Write', arguments: { file_path: '/b', content: 'c' } } }] }),
      chunk({}, 'tool_calls'),
    ]);
    const expected = [
      { type: 'tool_use', id: 'x', name: 'Read', input: { path: '/a' } },
      { type: 'tool_use', id: 'y', name: 'Write', input: { file_path: '/b', content: 'c' } },
    ];
    for (const pieces of [whole(upstream), ...everySplit(upstream)]) {
      expect(accumulate(anthropicEvents(encode(pieces).text)).content).toEqual(expected);
    }
  });

  it('repairs tool-call deltas: id only in the first, the name repeated in every delta, numeric ids', () => {
    const upstream = sse([
      chunk({ content: 'I will write it.' }),
      chunk({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'Write', arguments: '' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { name: 'Write', arguments: '{"file_path":' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { name: 'Write', arguments: '"/tmp/a.txt","content":"hi"}' } }] }),
      chunk({}, 'tool_calls'),
    ]);
    const expectedContent = [
      { type: 'text', text: 'I will write it.' },
      { type: 'tool_use', id: 'call_1', name: 'Write', input: { file_path: '/tmp/a.txt', content: 'hi' } },
    ];
    for (const pieces of [whole(upstream), ...everySplit(upstream)]) {
      const message = accumulate(anthropicEvents(encode(pieces).text));
      expect(message.content).toEqual(expectedContent);
      expect(message.stopReason).toBe('tool_use');
    }
    const numeric = sse([chunk({ tool_calls: [{ index: 0, id: 7, function: { name: 'Read', arguments: '{}' } }] }), chunk({}, 'stop')]);
    const message = accumulate(anthropicEvents(encode(whole(numeric)).text));
    expect(message.content).toEqual([{ type: 'tool_use', id: '7', name: 'Read', input: {} }]);
    expect(message.stopReason).toBe('tool_use');
  });

  it('gives a tool call without an id one of its own', () => {
    const upstream = sse([chunk({ tool_calls: [{ index: 0, id: null, function: { name: 'Read', arguments: '{"p":1}' } }] }), chunk({}, 'tool_calls')]);
    expect(accumulate(anthropicEvents(encode(whole(upstream)).text)).content).toEqual([
      { type: 'tool_use', id: 'toolu_req1_0', name: 'Read', input: { p: 1 } },
    ]);
  });

  it('never gives a tool_use an id the conversation already holds, nor one two calls share', () => {
    // An upstream that numbers its ids (0, 1… each answer anew) repeats them turn after turn: Claude Code then took
    // the second call with an answered id for an interrupted one and ran it again and again.
    const later: MessagesRequest = {
      ...body,
      messages: [
        { role: 'user', content: 'Run it' },
        { role: 'assistant', content: [{ type: 'tool_use', id: '0', name: 'Bash', input: { command: 'ls' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: '0', content: 'a.txt' }] },
      ],
    };
    const upstream = sse([
      chunk({ tool_calls: [{ index: 0, id: 0, function: { name: 'Bash', arguments: '{"command":"pwd"}' } }] }),
      chunk({ tool_calls: [{ index: 1, id: 'twin', function: { name: 'Read', arguments: '{"p":1}' } }] }),
      chunk({ tool_calls: [{ index: 2, id: 'twin', function: { name: 'Read', arguments: '{"p":2}' } }] }),
      chunk({}, 'tool_calls'),
    ]);
    for (const pieces of [whole(upstream), ...everySplit(upstream).filter((_, at) => at % 7 === 0)]) {
      const ids = accumulate(anthropicEvents(encode(pieces, later).text)).content.map((block) => block.id as string);
      expect(ids).toEqual(['toolu_req1_0', 'twin', 'toolu_req1_2']);
    }
  });

  it('sends parallel calls interleaved by index as one block after the other, each whole', () => {
    const upstream = sse([
      chunk({ tool_calls: [{ index: 0, id: 'a', function: { name: 'Read', arguments: '{"path":' } }] }),
      chunk({ tool_calls: [{ index: 1, id: 'b', function: { name: 'Write', arguments: '{"file_path":"/x",' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '"/etc/hosts"}' } }] }),
      chunk({ tool_calls: [{ index: 1, function: { arguments: '"content":"y"}' } }] }),
      chunk({ content: 'and a late word' }),
      chunk({}, 'tool_calls'),
    ]);
    const message = accumulate(anthropicEvents(encode(whole(upstream)).text));
    expect(message.content).toEqual([
      { type: 'tool_use', id: 'a', name: 'Read', input: { path: '/etc/hosts' } },
      { type: 'tool_use', id: 'b', name: 'Write', input: { file_path: '/x', content: 'y' } },
      { type: 'text', text: 'and a late word' },
    ]);
    expect(message.stopReason).toBe('tool_use');
  });

  it('streams only the first call when the request allows one (disable_parallel_tool_use), and says so', () => {
    const upstream = sse([
      chunk({ tool_calls: [{ index: 0, id: 'a', function: { name: 'Read', arguments: '{"path":' } }] }),
      chunk({ tool_calls: [{ index: 1, id: 'b', function: { name: 'Write', arguments: '{"file_path":"/x","content":"y"}' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '"/etc/hosts"}' } }] }),
      chunk({}, 'tool_calls'),
    ]);
    const oneAtMost: MessagesRequest = { ...body, tools: [{ name: 'Read', input_schema: { type: 'object' } }], tool_choice: { type: 'any', disable_parallel_tool_use: true } };
    const ctx = context();
    const message = accumulate(anthropicEvents(encode(whole(upstream), oneAtMost, ctx).text));
    expect(message.content).toEqual([{ type: 'tool_use', id: 'a', name: 'Read', input: { path: '/etc/hosts' } }]);
    expect(message.stopReason).toBe('tool_use');
    expect(ctx.warnings).toEqual([expect.stringContaining('disable_parallel_tool_use')]);
    expect(accumulate(anthropicEvents(encode(whole(upstream)).text)).content).toHaveLength(2);
  });

  it('never makes a call whole that the token limit cut: the live one keeps its input as it came, a held one is left out', () => {
    const cut = '{"command":"echo first > a.txt; echo se';
    const upstream = sse([
      chunk({ tool_calls: [{ index: 0, id: 'a', function: { name: 'Bash', arguments: cut } }] }),
      chunk({ tool_calls: [{ index: 1, id: 'b', function: { name: 'Bash', arguments: '{"command":"rm -rf bu' } }] }),
      chunk({}, 'length'),
    ]);
    const ctx = context();
    const events = anthropicEvents(encode(whole(upstream), body, ctx).text);
    const starts = events.filter((e) => e.event === 'content_block_start').map((e) => e.data.content_block);
    expect(starts).toEqual([expect.objectContaining({ type: 'tool_use', id: 'a' })]);
    const input = events.filter((e) => e.event === 'content_block_delta' && e.data.delta.type === 'input_json_delta').map((e) => e.data.delta.partial_json).join('');
    expect(input).toBe(cut);
    expect(events.find((e) => e.event === 'message_delta')!.data.delta.stop_reason).toBe('max_tokens');
    expect(ctx.warnings).toEqual([expect.stringContaining('ran out of tokens'), expect.stringContaining('ran out of tokens')]);
  });

  it("ends with an error event quoting the upstream's reason when NIM reports an error inside its stream", () => {
    const upstream = sse([chunk({ content: 'Hel' }), { error: { message: 'Engine crashed: out of KV cache', code: 500 } }, chunk({ content: 'never sent' }), chunk({}, 'stop')]);
    const { text, encoder } = encode(whole(upstream));
    const events = anthropicEvents(text);
    expect(events.at(-1)).toEqual({ event: 'error', data: { type: 'error', error: { type: 'api_error', message: expect.stringContaining('Engine crashed: out of KV cache') } } });
    expect(events.some((e) => e.event === 'message_stop')).toBe(false);
    expect(text).not.toContain('never sent');
    expect(encoder.failure).toMatchObject({ status: 502, code: 'upstream_stream_error' });
  });

  it('does not answer tool_use for a call it left out for want of a name', () => {
    const upstream = sse([chunk({ content: 'Here.' }), chunk({ tool_calls: [{ index: 0, id: 'a', function: { arguments: '{}' } }] }), chunk({}, 'stop')]);
    const message = accumulate(anthropicEvents(encode(whole(upstream)).text));
    expect(message.content).toEqual([{ type: 'text', text: 'Here.' }]);
    expect(message.stopReason).toBe('end_turn');
  });

  it('answers end_turn, not tool_use, when NIM said tool_calls but every call was left out', () => {
    // A client that sees tool_use looks for a tool_use block to run; there is none to find.
    const nameless = sse([chunk({ content: 'Here.' }), chunk({ tool_calls: [{ index: 0, id: 'a', function: { arguments: '{}' } }] }), chunk({}, 'tool_calls')]);
    const noCalls = sse([chunk({ content: 'Here.' }), chunk({}, 'tool_calls')]);
    for (const upstream of [nameless, noCalls]) {
      const message = accumulate(anthropicEvents(encode(whole(upstream)).text));
      expect(message.content).toEqual([{ type: 'text', text: 'Here.' }]);
      expect(message.stopReason).toBe('end_turn');
    }
  });

  it("keeps NIM's order of parallel calls when a later call's arguments begin first", () => {
    const upstream = sse([
      chunk({ tool_calls: [{ index: 0, id: 'a', function: { name: 'Read', arguments: '' } }] }),
      chunk({ tool_calls: [{ index: 1, id: 'b', function: { name: 'Write', arguments: '{"file_path":"/x","content":"y"}' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"path":"/a"}' } }] }),
      chunk({}, 'tool_calls'),
    ]);
    expect(accumulate(anthropicEvents(encode(whole(upstream)).text)).content).toEqual([
      { type: 'tool_use', id: 'a', name: 'Read', input: { path: '/a' } },
      { type: 'tool_use', id: 'b', name: 'Write', input: { file_path: '/x', content: 'y' } },
    ]);
  });

  it('closes argument JSON that NIM cut short, so the client can parse the input', () => {
    const upstream = sse([chunk({ tool_calls: [{ index: 0, id: 'a', function: { name: 'Write', arguments: '{"file_path":"/x","content":"hal' } }] }), chunk({}, 'tool_calls')]);
    const ctx = context();
    const message = accumulate(anthropicEvents(encode(whole(upstream), body, ctx).text));
    expect(message.content).toEqual([{ type: 'tool_use', id: 'a', name: 'Write', input: { file_path: '/x', content: 'hal' } }]);
    expect(ctx.warnings).toEqual([expect.stringContaining('cut a tool call')]);
  });

  it("reports NIM's usage when it sent some, and estimates it (for accounting too) when it did not", () => {
    const withUsage = sse([chunk({ content: 'Hi' }), chunk({}, 'stop'), { id: 'c1', choices: [], usage: { prompt_tokens: 120, completion_tokens: 7, total_tokens: 127 } }]);
    const reported = encode(whole(withUsage));
    expect(anthropicEvents(reported.text).at(-2)!.data.usage).toEqual({ input_tokens: 120, output_tokens: 7 });
    expect(reported.encoder.estimatedUsage).toBeUndefined();

    const estimated = encode(whole(sse([chunk({ content: 'Hello there, how are you today?' }), chunk({}, 'stop')])));
    const events = anthropicEvents(estimated.text);
    const usage = events.at(-2)!.data.usage;
    expect(usage.output_tokens).toBeGreaterThanOrEqual(5);
    // message_start's rough figure (characters / 4) is replaced at the end by the tokenizer's count of the prompt.
    expect(usage.input_tokens).toBe(estimateInputTokens(body));
    expect(events[0]!.data.message.usage.input_tokens).toBe(roughInputTokens(body));
    expect(estimated.encoder.estimatedUsage).toEqual({
      promptTokens: usage.input_tokens,
      completionTokens: usage.output_tokens,
      totalTokens: usage.input_tokens + usage.output_tokens,
    });
  });

  it("opens with a rough prompt figure (characters / 4) and ends with NIM's count when NIM sent one", () => {
    const long = { ...body, messages: [{ role: 'user' as const, content: 'word '.repeat(4000) }] };
    const withUsage = sse([chunk({ content: 'Hi' }), chunk({}, 'stop'), { id: 'c1', choices: [], usage: { prompt_tokens: 4003, completion_tokens: 1, total_tokens: 4004 } }]);
    const events = anthropicEvents(encode(whole(withUsage), long).text);
    expect(events[0]!.data.message.usage.input_tokens).toBe(roughInputTokens(long));
    expect(roughInputTokens(long)).toBe(Math.ceil(20000 / 4) + 3);
    expect(events.at(-2)!.data.usage.input_tokens).toBe(4003);
  });

  it('maps finish reasons: length → max_tokens, a matched stop sequence → stop_sequence', () => {
    const cut = accumulate(anthropicEvents(encode(whole(sse([chunk({ content: 'a' }), chunk({}, 'length')]))).text));
    expect(cut.stopReason).toBe('max_tokens');
    const stopped = encode(whole(sse([chunk({ content: 'a' }), { choices: [{ index: 0, delta: {}, finish_reason: 'stop', stop_reason: 'END' }] }])), {
      ...body,
      stop_sequences: ['END'],
    });
    const delta = anthropicEvents(stopped.text).at(-2)!.data.delta;
    expect(delta).toEqual({ stop_reason: 'stop_sequence', stop_sequence: 'END' });
  });

  it('pings while NIM is silent, message_start first even when the silence came before any byte', () => {
    const encoder = new AnthropicStreamEncoder(body, context());
    let text = encoder.keepalive() + encoder.keepalive();
    for (const read of readsOf(whole(sse([chunk({ content: 'x' }), chunk({}, 'stop')])))) text += encoder.read(read) + encoder.keepalive();
    text += encoder.end();
    const events = anthropicEvents(text);
    expect(events.map((e) => e.event).slice(0, 3)).toEqual(['message_start', 'ping', 'ping']);
    expect(text.match(/event: message_start/g)).toHaveLength(1);
  });

  it('ends a stream that failed after its start with an error event in Anthropic shape', () => {
    const encoder = new AnthropicStreamEncoder(body, context());
    let text = encoder.start();
    for (const read of readsOf(whole('data: {"choices":[{"index":0,"delta":{"content":"par"}}]}\n\n'))) text += encoder.read(read);
    text += encoder.error(new ProxyError({ status: 503, message: 'NIM went away' }));
    const events = anthropicEvents(text);
    expect(events.at(-1)).toEqual({ event: 'error', data: { type: 'error', error: { type: 'overloaded_error', message: 'NIM went away' } } });
  });

  it("turns tool calls a MiniMax model wrote as markup in its text into tool_use blocks, wherever NIM's reads cut the markup", () => {
    const tools = [{ name: 'Bash', input_schema: { type: 'object', properties: { command: { type: 'string' }, timeout: { type: 'number' } } } }];
    const request = { ...body, tools } as MessagesRequest;
    const markup = 'I will list it.\n<minimax:tool_call>\n<invoke name="Bash">\n<parameter name="command">ls -la</parameter>\n<parameter name="timeout">5</parameter>\n</invoke>\n</minimax:tool_call>';
    const pieces = markup.match(/[\s\S]{1,5}/g)!;
    const upstream = sse([chunk({ role: 'assistant', content: '' }), ...pieces.map((piece) => chunk({ content: piece })), chunk({}, 'stop')]);
    const minimax = () => context({ upstreamModel: 'minimaxai/minimax-m3' });
    const { text } = encode(whole(upstream), request, minimax());
    const message = accumulate(anthropicEvents(text));
    expect(message.content).toEqual([
      { type: 'text', text: 'I will list it.\n' },
      { type: 'tool_use', id: 'toolu_req1_0', name: 'Bash', input: { command: 'ls -la', timeout: 5 } },
    ]);
    expect(message.stopReason).toBe('tool_use');
    for (const split of everySplit(upstream).filter((_, at) => at % 13 === 0)) expect(encode(split, request, minimax()).text).toBe(text);
    // Another model's text is its own, markup or not (model_settings' tool_markup can say otherwise).
    expect(accumulate(anthropicEvents(encode(whole(upstream), request).text)).content).toEqual([{ type: 'text', text: markup }]);
  });
});
