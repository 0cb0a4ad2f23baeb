import type { ServerResponse } from 'node:http';
import { ProxyError, type ChatCompletionStream, type ChatStreamEvent } from '@proxy/core';
import { describe, expect, it, vi } from 'vitest';
import { relayChatStream } from './relay-chat-stream.js';

const KEEPALIVE = ': ka\n\n';
const event = (data: string, extra: Partial<ChatStreamEvent> = {}): ChatStreamEvent => ({ data, done: false, ...extra });
const DONE: ChatStreamEvent = { data: '[DONE]', done: true };

/** A stream with batches(): each batch is handed out when the test releases it. */
function batchedStream() {
  const waiting: ((batch: readonly ChatStreamEvent[] | undefined) => void)[] = [];
  const ready: (readonly ChatStreamEvent[] | undefined)[] = [];
  const release = (batch: readonly ChatStreamEvent[] | undefined) => {
    const resolve = waiting.shift();
    if (resolve) resolve(batch);
    else ready.push(batch);
  };
  const stream: ChatCompletionStream = {
    usage: undefined,
    cancel: vi.fn(),
    [Symbol.asyncIterator]: () => {
      throw new Error('the relay should use batches()');
    },
    async *batches() {
      for (;;) {
        const batch = ready.length ? ready.shift() : await new Promise<readonly ChatStreamEvent[] | undefined>((resolve) => waiting.push(resolve));
        if (!batch) return;
        yield batch;
      }
    },
  };
  return { stream, release };
}

function recordingResponse() {
  const writes: string[] = [];
  let ended: string | undefined;
  const response = {
    writableNeedDrain: false,
    write: (chunk: string) => (writes.push(chunk), true),
    end: (chunk: string) => {
      ended = chunk;
    },
    once: vi.fn(),
  };
  return { response: response as unknown as ServerResponse, writes, ended: () => ended };
}

const tick = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));

describe('relayChatStream with batches', () => {
  it('writes each batch at once, as soon as it arrives, and sends the last one with [DONE] in end()', async () => {
    const { stream, release } = batchedStream();
    const { response, writes, ended } = recordingResponse();
    const result = relayChatStream({
      response,
      stream: Promise.resolve(stream),
      signal: new AbortController().signal,
      includeUsage: false,
      keepalive: { frame: KEEPALIVE, intervalMs: 0, sendNow: false },
      toError: (error) => new ProxyError({ status: 502, message: String(error) }),
    });
    release([event('a'), event('{"usage":{}}', { usageOnly: true }), event('b')]);
    await tick();
    // Flushed without waiting for anything more from upstream.
    expect(writes).toEqual(['data: a\n\ndata: b\n\n']);
    release([event('{"usage":{}}', { usageOnly: true })]); // nothing to forward: no empty write
    release([event('c'), DONE]);
    expect(await result).toEqual({ status: 'completed', usage: undefined });
    expect(writes).toEqual(['data: a\n\ndata: b\n\n']);
    expect(ended()).toBe('data: c\n\ndata: [DONE]\n\n');
  });

  it('still sends keep-alives while waiting for the next batch', async () => {
    const { stream, release } = batchedStream();
    const { response, writes } = recordingResponse();
    const result = relayChatStream({
      response,
      stream: Promise.resolve(stream),
      signal: new AbortController().signal,
      includeUsage: true,
      keepalive: { frame: KEEPALIVE, intervalMs: 20, sendNow: false },
      toError: (error) => new ProxyError({ status: 502, message: String(error) }),
    });
    release([event('a')]);
    while (writes.filter((chunk) => chunk === KEEPALIVE).length < 2) await tick(5);
    release([DONE]);
    expect(await result).toMatchObject({ status: 'completed' });
    expect(writes[0]).toBe('data: a\n\n');
  });
});
