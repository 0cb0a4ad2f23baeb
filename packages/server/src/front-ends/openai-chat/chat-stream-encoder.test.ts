import { ChatSseReader, ProxyError, StreamUsageTracker, type ChatStreamRead } from '@proxy/core';
import { describe, expect, it, vi } from 'vitest';
import { ChatStreamEncoder } from './chat-stream-encoder.js';
import { openAIChatFrontEnd } from './openai-chat-front-end.js';

const CONTENT = 'data: {"choices":[{"index":0,"delta":{"content":"hi"}}]}\n\n';
const USAGE_ONLY = 'data: {"choices":[],"usage":{"prompt_tokens":5,"completion_tokens":7,"total_tokens":12}}\n\n';
const USAGE_WITH_CHOICE = 'data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":7,"total_tokens":12}}\n\n';

/** One upstream read as the connector hands it over: what ChatSseReader makes of these bytes. */
function readOf(bytes: Buffer): ChatStreamRead {
  const read = new ChatSseReader(new StreamUsageTracker()).push(bytes);
  if (!read) throw new Error('the bytes hold no whole event');
  return read;
}

const text = (bytes: string | Uint8Array) => (typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('utf8'));

describe('ChatStreamEncoder', () => {
  it('opens with nothing: a chat stream needs no preamble', () => {
    expect(new ChatStreamEncoder(false, () => ': ka\n\n').start()).toBe('');
  });

  it('passes a read through as the very Buffer the upstream sent', () => {
    const bytes = Buffer.from(CONTENT + USAGE_WITH_CHOICE);
    expect(new ChatStreamEncoder(false, () => '').read(readOf(bytes))).toBe(bytes);
    expect(new ChatStreamEncoder(true, () => '').read(readOf(bytes))).toBe(bytes);
  });

  it('drops usage-only frames for a client that did not ask for include_usage', () => {
    const bytes = Buffer.from(CONTENT + USAGE_ONLY);
    expect(text(new ChatStreamEncoder(false, () => '').read(readOf(bytes)))).toBe(CONTENT);
    // A read of nothing but usage gives nothing to write.
    expect(new ChatStreamEncoder(false, () => '').read(readOf(Buffer.from(USAGE_ONLY)))).toHaveLength(0);
  });

  it('forwards usage-only frames unchanged to a client that asked for include_usage', () => {
    const bytes = Buffer.from(CONTENT + USAGE_ONLY);
    expect(new ChatStreamEncoder(true, () => '').read(readOf(bytes))).toBe(bytes);
  });

  it('ends a successful stream with [DONE]', () => {
    expect(text(new ChatStreamEncoder(false, () => '').end())).toBe('data: [DONE]\n\n');
  });

  it('ends a failed stream with an OpenAI error event, and no [DONE]', () => {
    const frame = new ChatStreamEncoder(false, () => '').error(new ProxyError({ status: 502, code: 'upstream_connection_error', message: 'reset' }));
    expect(frame).toBe('data: {"error":{"message":"reset","type":"upstream_error","param":null,"code":"upstream_connection_error"}}\n\n');
    expect(frame).not.toContain('[DONE]');
  });

  it('builds its keep-alive frame once, on first use', () => {
    const build = vi.fn(() => ': keepalive\n\n');
    const encoder = new ChatStreamEncoder(false, build);
    expect(build).not.toHaveBeenCalled();
    expect(encoder.keepalive()).toBe(': keepalive\n\n');
    expect(encoder.keepalive()).toBe(': keepalive\n\n');
    expect(build).toHaveBeenCalledTimes(1);
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

  it('sends keep-alives as empty chunks of the model the client asked for, or as comments', () => {
    const openai = openAIChatFrontEnd({ keepaliveFormat: 'openai' });
    const chunk = openai.createStreamEncoder(openai.parse(body(false)), context).keepalive();
    expect(JSON.parse(chunk.slice('data: '.length))).toEqual({
      id: 'chatcmpl-keepalive-r1',
      object: 'chat.completion.chunk',
      created: 1_700_000_000,
      model: 'nim:meta/llama3-70b',
      choices: [{ index: 0, delta: {}, finish_reason: null }],
    });
    const frontEnd = openAIChatFrontEnd({ keepaliveFormat: 'comment' });
    expect(frontEnd.createStreamEncoder(frontEnd.parse(body(false)), context).keepalive()).toBe(': keepalive\n\n');
  });
});
