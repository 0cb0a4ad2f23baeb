import { ChatSseReader, ProxyError, StreamUsageTracker, type ChatStreamRead } from '@proxy/core';
import { describe, expect, it } from 'vitest';
import { ChatStreamEncoder, type ChatStreamEncoderOptions } from './chat-stream-encoder.js';
import { openAIChatFrontEnd } from './openai-chat-front-end.js';

const CONTENT = 'data: {"choices":[{"index":0,"delta":{"content":"hi"}}]}\n\n';
const USAGE_ONLY = 'data: {"choices":[],"usage":{"prompt_tokens":5,"completion_tokens":7,"total_tokens":12}}\n\n';
const NUMERIC_ID_CHUNK = 'data: {"id":7,"object":"chat.completion.chunk","created":5,"model":"meta/llama3-70b","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}\n\n';
const USAGE_WITH_CHOICE = 'data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":7,"total_tokens":12}}\n\n';

/** One upstream read as the connector hands it over: what ChatSseReader makes of these bytes. */
function readOf(bytes: Buffer): ChatStreamRead {
  const read = new ChatSseReader(new StreamUsageTracker()).push(bytes);
  if (!read) throw new Error('the bytes hold no whole event');
  return read;
}

const encoder = (includeUsage: boolean, options: Partial<ChatStreamEncoderOptions> = {}) =>
  new ChatStreamEncoder({ includeUsage, keepaliveFormat: 'comment', requestId: 'r1', upstreamModel: 'meta/llama3-70b', created: 9, ...options });

const text = (bytes: string | Uint8Array) => (typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('utf8'));

describe('ChatStreamEncoder', () => {
  it('opens with nothing: a chat stream needs no preamble', () => {
    expect(encoder(false).start()).toBe('');
  });

  it('passes a read through as the very Buffer the upstream sent', () => {
    const bytes = Buffer.from(CONTENT + USAGE_WITH_CHOICE);
    expect(encoder(false).read(readOf(bytes))).toBe(bytes);
    expect(encoder(true).read(readOf(bytes))).toBe(bytes);
  });

  it('drops usage-only frames for a client that did not ask for include_usage', () => {
    const bytes = Buffer.from(CONTENT + USAGE_ONLY);
    expect(text(encoder(false).read(readOf(bytes)))).toBe(CONTENT);
    // A read of nothing but usage gives nothing to write.
    expect(encoder(false).read(readOf(Buffer.from(USAGE_ONLY)))).toHaveLength(0);
  });

  it('forwards usage-only frames unchanged to a client that asked for include_usage', () => {
    const bytes = Buffer.from(CONTENT + USAGE_ONLY);
    expect(encoder(true).read(readOf(bytes))).toBe(bytes);
  });

  it('ends a successful stream with [DONE]', () => {
    expect(text(encoder(false).end())).toBe('data: [DONE]\n\n');
  });

  it('ends a failed stream with an OpenAI error event, and no [DONE]', () => {
    const frame = encoder(false).error(new ProxyError({ status: 502, code: 'upstream_connection_error', message: 'reset' }));
    expect(frame).toBe('data: {"error":{"message":"reset","type":"upstream_error","param":null,"code":"upstream_connection_error"}}\n\n');
    expect(frame).not.toContain('[DONE]');
  });

  it("records an error NIM reported as its stream's last event as the stream's failure, and sends no [DONE] after it", () => {
    // vLLM-based NIM builds end a generation that failed after the 200 with an error event, then [DONE].
    const chat = encoder(false, { backend: 'nvidia' });
    const errorEvent = 'data: {"error": {"object": "error", "message": "the engine failed", "type": "InternalServerError", "param": null, "code": 500}}\n\n';
    const bytes = Buffer.from(CONTENT + errorEvent);
    expect(chat.read(readOf(bytes))).toBe(bytes); // NIM's error event reaches the client, which throws on it
    expect(text(chat.end())).toBe('');
    expect(chat.failure).toMatchObject({ status: 502, code: 'upstream_stream_error', message: 'The nvidia upstream reported an error in its stream: the engine failed' });
    // Content that merely mentions "error" is no failure.
    const fine = encoder(false);
    fine.read(readOf(Buffer.from('data: {"choices":[{"index":0,"delta":{"content":"\\"error\\": none"}}]}\n\n')));
    expect(text(fine.end())).toBe('data: [DONE]\n\n');
    expect(fine.failure).toBeUndefined();
  });

  it('sends comment keep-alives in the comment format, whatever came before', () => {
    const chat = encoder(false);
    expect(chat.keepalive()).toBe(': keepalive\n\n');
    chat.read(readOf(Buffer.from(NUMERIC_ID_CHUNK)));
    expect(chat.keepalive()).toBe(': keepalive\n\n');
  });
});

describe('the OpenAI chat front end’s encoder', () => {
  const context = {
    requestId: 'r1',
    clientModel: 'nim:meta/llama3-70b',
    backend: 'nim',
    upstreamModel: 'meta/llama3-70b',
    modelSettings: {},
    created: 1_700_000_000,
    log: { warn: () => undefined, debug: () => undefined },
  };
  const body = (includeUsage: boolean) => ({ model: 'nim:meta/llama3-70b', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: includeUsage } });

  it('keeps usage-only frames exactly when the body asked for include_usage', () => {
    const frontEnd = openAIChatFrontEnd({ keepaliveFormat: 'comment' });
    const bytes = Buffer.from(USAGE_ONLY);
    expect(frontEnd.createStreamEncoder(frontEnd.parse(body(true)), context).read(readOf(bytes))).toBe(bytes);
    expect(frontEnd.createStreamEncoder(frontEnd.parse(body(false)), context).read(readOf(bytes))).toHaveLength(0);
  });

  it('sends keep-alives as empty chunks naming the upstream model, or as comments', () => {
    const openai = openAIChatFrontEnd({ keepaliveFormat: 'openai' });
    const chunk = openai.createStreamEncoder(openai.parse(body(false)), context).keepalive();
    expect(JSON.parse(chunk.slice('data: '.length))).toEqual({
      id: 'chatcmpl-r1',
      object: 'chat.completion.chunk',
      created: 1_700_000_000,
      model: 'meta/llama3-70b',
      choices: [{ index: 0, delta: {}, finish_reason: null }],
    });
    const frontEnd = openAIChatFrontEnd({ keepaliveFormat: 'comment' });
    expect(frontEnd.createStreamEncoder(frontEnd.parse(body(false)), context).keepalive()).toBe(': keepalive\n\n');
  });
});

/** The chunks a stream of reads gave the client, parsed. */
function chunksOf(chat: ChatStreamEncoder, frames: readonly (string | Record<string, unknown>)[]): Record<string, unknown>[] {
  let out = '';
  for (const frame of frames) {
    out += frame === 'keepalive' ? chat.keepalive() : text(chat.read(readOf(Buffer.from(`data: ${JSON.stringify(frame)}\n\n`))));
  }
  return out
    .split('\n\n')
    .filter((event) => event.startsWith('data: '))
    .map((event) => JSON.parse(event.slice('data: '.length)) as Record<string, unknown>);
}

const nimChunk = (id: unknown, delta: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  id,
  object: 'chat.completion.chunk',
  created: 5,
  model: 'meta/llama3-70b',
  choices: [{ index: 0, delta, finish_reason: null }],
  ...extra,
});
const toolStart = (id: unknown) => ({ tool_calls: [{ index: 0, id, type: 'function', function: { name: 'read_file', arguments: '' } }] });
const toolArgs = (piece: string) => ({ tool_calls: [{ index: 0, function: { arguments: piece } }] });
const toolIds = (chunks: Record<string, unknown>[]) =>
  chunks.flatMap((chunk) => ((chunk.choices as { delta: { tool_calls?: { id?: unknown }[] } }[] | undefined) ?? []).flatMap((choice) => (choice.delta.tool_calls ?? []).filter((call) => 'id' in call).map((call) => call.id)));

describe('one string id and one model per stream', () => {
  it.each([
    ['numeric', 7, 700],
    ['null', null, null],
  ])('makes NIM’s %s completion and tool-call ids strings, the same in every frame and delta', (_style, id, callId) => {
    const chunks = chunksOf(encoder(true), [
      nimChunk(id, { role: 'assistant', content: '' }),
      nimChunk(id, toolStart(callId)),
      nimChunk(id, toolArgs('{"path":')),
      // MiniMax-style: the id again in a later delta of the same call.
      nimChunk(id, { tool_calls: [{ index: 0, id: callId, function: { arguments: '"a"}' } }] }),
      nimChunk(id, { tool_calls: [{ index: 1, id: callId, type: 'function', function: { name: 'other', arguments: '{}' } }] }),
      { id, object: 'chat.completion.chunk', created: 5, model: 'meta/llama3-70b', choices: [], usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 } },
    ]);
    expect(chunks.map((chunk) => chunk.id)).toEqual(Array(6).fill('chatcmpl-r1'));
    expect(chunks.every((chunk) => chunk.model === 'meta/llama3-70b')).toBe(true);
    expect(toolIds(chunks)).toEqual(['call_r1_0', 'call_r1_0', 'call_r1_1']);
    // The continuation delta that named no id still names none: clients find the call by its index.
    expect((chunks[2]!.choices as { delta: { tool_calls: object[] } }[])[0]!.delta.tool_calls[0]).not.toHaveProperty('id');
  });

  it('keeps the first chunk’s string id when only a later tool call’s id is a number', () => {
    const chunks = chunksOf(encoder(false), [nimChunk('chatcmpl-nim', { role: 'assistant' }), nimChunk('chatcmpl-nim', toolStart(3))]);
    expect(chunks.map((chunk) => chunk.id)).toEqual(['chatcmpl-nim', 'chatcmpl-nim']);
    expect(toolIds(chunks)).toEqual(['call_r1_0']);
  });

  it('still drops usage-only frames of a rewritten read for a client that did not ask for include_usage', () => {
    const chat = encoder(false);
    const out = text(chat.read(readOf(Buffer.from(NUMERIC_ID_CHUNK + USAGE_ONLY.replace('{"choices"', '{"id":7,"choices"')))));
    expect(out.split('\n\n').filter(Boolean)).toHaveLength(1);
    expect(JSON.parse(out.slice('data: '.length))).toMatchObject({ id: 'chatcmpl-r1' });
  });

  it('names the response after a keep-alive sent before NIM’s first chunk: NIM’s chunks then carry its id, model and created', () => {
    const chunks = chunksOf(encoder(false, { keepaliveFormat: 'openai', upstreamModel: 'meta/llama3-70b' }), [
      'keepalive',
      nimChunk('chatcmpl-nim', { role: 'assistant', content: '' }, { model: 'meta/llama3-70b-instruct-v2' }),
      'keepalive',
      nimChunk('chatcmpl-nim', { content: 'hi' }, { model: 'meta/llama3-70b-instruct-v2' }),
    ]);
    expect(chunks.map((chunk) => [chunk.id, chunk.model, chunk.created])).toEqual(Array(4).fill(['chatcmpl-r1', 'meta/llama3-70b', 9]));
    expect((chunks[3]!.choices as { delta: unknown }[])[0]!.delta).toEqual({ content: 'hi' });
  });

  it('gives a keep-alive after NIM’s first chunk that chunk’s id, model and created, and leaves NIM’s bytes alone', () => {
    const chat = encoder(false, { keepaliveFormat: 'openai' });
    const first = Buffer.from(`data: ${JSON.stringify(nimChunk('chatcmpl-nim', { role: 'assistant' }, { model: 'nim/model-v2' }))}\n\n`);
    expect(chat.read(readOf(first))).toBe(first);
    expect(JSON.parse(chat.keepalive().slice('data: '.length))).toEqual({
      id: 'chatcmpl-nim',
      object: 'chat.completion.chunk',
      created: 5,
      model: 'nim/model-v2',
      choices: [{ index: 0, delta: {}, finish_reason: null }],
    });
    const next = Buffer.from(`data: ${JSON.stringify(nimChunk('chatcmpl-nim', { content: 'x' }, { model: 'nim/model-v2' }))}\n\n`);
    expect(chat.read(readOf(next))).toBe(next);
  });
});

describe('the OpenAI chat front end’s JSON answer', () => {
  const frontEnd = openAIChatFrontEnd({ keepaliveFormat: 'openai' });
  const context = {
    requestId: 'r2',
    clientModel: 'nim:m',
    backend: 'nim',
    upstreamModel: 'm',
    modelSettings: {},
    created: 1,
    log: { warn: () => undefined, debug: () => undefined },
  };
  const request = frontEnd.parse({ model: 'nim:m', messages: [{ role: 'user', content: 'hi' }] });
  const completion = (id: unknown, callId: unknown) => ({
    id,
    object: 'chat.completion',
    created: 1,
    model: 'm',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: null, tool_calls: [{ id: callId, type: 'function', function: { name: 'f', arguments: '{"id": 5}' } }] },
        finish_reason: 'tool_calls',
      },
    ],
  });
  const answer = (body: unknown) => {
    const rawBody = JSON.stringify(body);
    return frontEnd.fromChatCompletion({ rawBody, body: JSON.parse(rawBody), usage: undefined }, request, context).text;
  };

  it('is NIM’s text itself when its ids are strings', () => {
    const body = completion('chatcmpl-nim', 'call_nim');
    const rawBody = `${JSON.stringify(body)}\n`;
    // Nor does it estimate usage NIM did not send: its stream encoder estimates none either.
    expect(frontEnd.fromChatCompletion({ rawBody, body: JSON.parse(rawBody), usage: undefined }, request, context)).toEqual({ text: rawBody });
  });

  it.each([
    [42, 4200],
    [null, null],
  ])('makes a completion id %s and its tool-call ids strings', (id, callId) => {
    const json = JSON.parse(answer(completion(id, callId))) as ReturnType<typeof completion>;
    expect(json.id).toBe('chatcmpl-r2');
    expect(json.model).toBe('m');
    expect(json.choices[0]!.message.tool_calls[0]!.id).toBe('call_r2_0');
    expect(json.choices[0]!.message.tool_calls[0]!.function.arguments).toBe('{"id": 5}');
  });
});

describe('tool calls a MiniMax model writes as markup, on the chat route', () => {
  const frontEnd = openAIChatFrontEnd({ keepaliveFormat: 'comment' });
  const context = (upstreamModel: string) => ({
    requestId: 'r3',
    clientModel: `nim:${upstreamModel}`,
    backend: 'nim',
    upstreamModel,
    modelSettings: {},
    created: 1,
    log: { warn: () => undefined, debug: () => undefined },
  });
  const tools = [{ type: 'function', function: { name: 'run', parameters: { type: 'object', properties: { n: { type: 'integer' } } } } }];
  const markup = 'Sure.\n<minimax:tool_call>\n<invoke name="run">\n<parameter name="n">3</parameter>\n</invoke>\n</minimax:tool_call>';
  type Chunk = { id: string; choices: [{ delta: { content?: string; tool_calls?: unknown[] }; finish_reason: string | null }] };

  it('become tool_calls deltas with string ids and finish_reason tool_calls, for a MiniMax model', () => {
    const request = frontEnd.parse({ model: 'nim:minimaxai/minimax-m3', messages: [{ role: 'user', content: 'hi' }], stream: true, tools });
    const pieces = markup.match(/[\s\S]{1,3}/g)!;
    const upstream = [...pieces.map((piece) => ({ id: 'chatcmpl-n', model: 'minimaxai/minimax-m3', choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] }))];
    upstream.push({ id: 'chatcmpl-n', model: 'minimaxai/minimax-m3', choices: [{ index: 0, delta: {} as { content: string }, finish_reason: 'stop' as unknown as null }] });
    const bytes = Buffer.from(upstream.map((chunk) => `data: ${JSON.stringify(chunk)}\n\n`).join(''));
    const encoder = frontEnd.createStreamEncoder(request, context('minimaxai/minimax-m3'));
    const out = text(encoder.read(readOf(bytes)));
    const chunks = out.split('\n\n').filter(Boolean).map((event) => JSON.parse(event.slice('data: '.length)) as Chunk);
    expect(chunks.map((chunk) => chunk.choices[0].delta.content ?? '').join('')).toBe('Sure.\n');
    expect(chunks.flatMap((chunk) => chunk.choices[0].delta.tool_calls ?? [])).toEqual([{ index: 0, id: 'call_r3_0', type: 'function', function: { name: 'run', arguments: '{"n":3}' } }]);
    expect(chunks.at(-1)!.choices[0].finish_reason).toBe('tool_calls');
    expect(new Set(chunks.map((chunk) => chunk.id))).toEqual(new Set(['chatcmpl-n']));
    // Another model's bytes pass as they came.
    expect(frontEnd.createStreamEncoder(request, context('meta/llama3-70b')).read(readOf(bytes))).toBe(bytes);
  });

  it('become tool_calls in a JSON answer, which is otherwise NIM’s text itself', () => {
    const request = frontEnd.parse({ model: 'nim:minimaxai/minimax-m3', messages: [{ role: 'user', content: 'hi' }], tools });
    const body = { id: 'chatcmpl-n', object: 'chat.completion', created: 1, model: 'minimaxai/minimax-m3', choices: [{ index: 0, message: { role: 'assistant', content: markup }, finish_reason: 'stop' }] };
    const rawBody = JSON.stringify(body);
    const json = JSON.parse(frontEnd.fromChatCompletion({ rawBody, body: JSON.parse(rawBody), usage: undefined }, request, context('minimaxai/minimax-m3')).text) as {
      choices: [{ message: { content: string; tool_calls: unknown[] }; finish_reason: string }];
    };
    expect(json.choices[0]).toMatchObject({ message: { content: 'Sure.\n', tool_calls: [{ id: 'call_r3_0', type: 'function', function: { name: 'run', arguments: '{"n":3}' } }] }, finish_reason: 'tool_calls' });
    const plain = JSON.stringify({ ...body, choices: [{ ...body.choices[0], message: { role: 'assistant', content: 'no calls' } }] });
    expect(frontEnd.fromChatCompletion({ rawBody: plain, body: JSON.parse(plain), usage: undefined }, request, context('minimaxai/minimax-m3')).text).toBe(plain);
  });
});
