import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { ProxyError, type ChatCompletionStream, type ChatStreamEvent } from '@proxy/core';
import { describe, expect, it, vi } from 'vitest';
import { relayChatStream, type RelayOptions } from './relay-chat-stream.js';

const KEEPALIVE = ': ka\n\n';

/** A response stand-in: records writes; `blocked` makes write() report a full buffer until drain(). */
class FakeResponse extends EventEmitter {
  readonly written: string[] = [];
  ended = false;
  blocked = false;
  get writableNeedDrain(): boolean {
    return this.blocked;
  }
  write(chunk: string): boolean {
    this.written.push(chunk);
    return !this.blocked;
  }
  end(chunk?: string): void {
    if (chunk) this.written.push(chunk);
    this.ended = true;
  }
  drain(): void {
    this.blocked = false;
    this.emit('drain');
  }
}

/** A stream the test feeds one event at a time. */
function controlledStream() {
  const queue: ((result: IteratorResult<ChatStreamEvent>) => void)[] = [];
  const backlog: (IteratorResult<ChatStreamEvent> | Error)[] = [];
  let failWith: ((error: Error) => void) | undefined;
  const cancel = vi.fn();
  const stream: ChatCompletionStream = {
    usage: { promptTokens: 1, completionTokens: 2, totalTokens: 3 },
    cancel,
    [Symbol.asyncIterator]: () => ({
      next: () =>
        new Promise<IteratorResult<ChatStreamEvent>>((resolve, reject) => {
          const ready = backlog.shift();
          if (ready instanceof Error) reject(ready);
          else if (ready) resolve(ready);
          else {
            queue.push(resolve);
            failWith = reject;
          }
        }),
      return: async () => ({ done: true, value: undefined }),
    }),
  };
  const push = (item: IteratorResult<ChatStreamEvent> | Error) => {
    const waiting = queue.shift();
    if (!waiting) backlog.push(item);
    else if (item instanceof Error) failWith!(item);
    else waiting(item);
  };
  return {
    stream,
    cancel,
    send: (data: string, extra: Partial<ChatStreamEvent> = {}) => push({ done: false, value: { data, done: false, ...extra } }),
    done: () => push({ done: false, value: { data: '[DONE]', done: true } }),
    end: () => push({ done: true, value: undefined }),
    fail: (error: Error) => push(error),
  };
}

function relay(response: FakeResponse, stream: Promise<ChatCompletionStream>, overrides: Partial<RelayOptions> = {}) {
  const controller = new AbortController();
  const result = relayChatStream({
    response: response as unknown as ServerResponse,
    stream,
    signal: controller.signal,
    includeUsage: false,
    keepalive: { frame: KEEPALIVE, intervalMs: 0, sendNow: false },
    toError: (error) => (ProxyError.isInstance(error) ? error : new ProxyError({ status: 502, message: String(error) })),
    ...overrides,
  });
  return { result, controller };
}

const tick = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits for a condition instead of a fixed time, so a loaded machine cannot fail the test. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await tick(5);
}

const keepalivesIn = (response: FakeResponse) => response.written.filter((chunk) => chunk === KEEPALIVE).length;

describe('relayChatStream', () => {
  it('forwards data as received, drops usage-only chunks unless asked, and ends with [DONE]', async () => {
    const response = new FakeResponse();
    const upstream = controlledStream();
    const { result } = relay(response, Promise.resolve(upstream.stream));
    upstream.send('{"a":1}');
    upstream.send('{"usage":{}}', { usageOnly: true });
    upstream.send('line1\nline2');
    upstream.end(); // no [DONE] from upstream
    expect(await result).toEqual({ status: 'completed', usage: upstream.stream.usage });
    expect(response.written).toEqual(['data: {"a":1}\n\n', 'data: line1\ndata: line2\n\n', 'data: [DONE]\n\n']);
    expect(response.ended).toBe(true);
    expect(upstream.cancel).toHaveBeenCalled();
  });

  it('forwards usage-only chunks to a client that asked, and stops at the upstream [DONE]', async () => {
    const response = new FakeResponse();
    const upstream = controlledStream();
    const { result } = relay(response, Promise.resolve(upstream.stream), { includeUsage: true });
    upstream.send('{"usage":{}}', { usageOnly: true });
    upstream.done();
    await result;
    expect(response.written).toEqual(['data: {"usage":{}}\n\n', 'data: [DONE]\n\n']);
  });

  it('sends keep-alives while waiting on the same pending read, at once when asked', async () => {
    const response = new FakeResponse();
    const upstream = controlledStream();
    const { result } = relay(response, Promise.resolve(upstream.stream), {
      keepalive: { frame: KEEPALIVE, intervalMs: 20, sendNow: true },
    });
    expect(response.written).toEqual([KEEPALIVE]);
    await until(() => keepalivesIn(response) >= 3);
    upstream.send('x');
    upstream.done();
    await result;
    expect(response.written.slice(-2)).toEqual(['data: x\n\n', 'data: [DONE]\n\n']);
  });

  it('keeps the client alive while the upstream has not answered, then reports its failure as an error event', async () => {
    const response = new FakeResponse();
    let reject!: (error: unknown) => void;
    const pending = new Promise<ChatCompletionStream>((_resolve, rejectWith) => (reject = rejectWith));
    const { result } = relay(response, pending, { keepalive: { frame: KEEPALIVE, intervalMs: 10, sendNow: false } });
    await until(() => keepalivesIn(response) >= 2);
    reject(new ProxyError({ status: 503, code: 'overloaded', message: 'busy' }));
    const outcome = await result;
    expect(outcome.status).toBe('failed');
    expect(response.written.at(-1)).toBe('data: {"error":{"message":"busy","type":"upstream_error","param":null,"code":"overloaded"}}\n\n');
    expect(response.written).not.toContain('data: [DONE]\n\n');
  });

  it('ends with an error event and no [DONE] when the upstream fails mid-stream', async () => {
    const response = new FakeResponse();
    const upstream = controlledStream();
    const { result } = relay(response, Promise.resolve(upstream.stream));
    upstream.send('a');
    upstream.fail(new ProxyError({ status: 502, code: 'upstream_connection_error', message: 'reset' }));
    const outcome = await result;
    expect(outcome).toMatchObject({ status: 'failed', usage: upstream.stream.usage });
    expect(response.written).toEqual(['data: a\n\n', 'data: {"error":{"message":"reset","type":"upstream_error","param":null,"code":"upstream_connection_error"}}\n\n']);
    expect(upstream.cancel).toHaveBeenCalled();
  });

  it('waits for drain before reading on, and sends no keep-alive into a full buffer', async () => {
    const response = new FakeResponse();
    const upstream = controlledStream();
    const { result } = relay(response, Promise.resolve(upstream.stream), { keepalive: { frame: KEEPALIVE, intervalMs: 10, sendNow: false } });
    response.blocked = true;
    upstream.send('a');
    upstream.send('b');
    await tick(40);
    expect(response.written).toEqual(['data: a\n\n']);
    response.drain();
    upstream.done();
    await result;
    expect(response.written).toEqual(['data: a\n\n', 'data: b\n\n', 'data: [DONE]\n\n']);
  });

  it('stops quietly when the client goes away, cancelling the upstream', async () => {
    const response = new FakeResponse();
    const upstream = controlledStream();
    const { result, controller } = relay(response, Promise.resolve(upstream.stream), { keepalive: { frame: KEEPALIVE, intervalMs: 10, sendNow: false } });
    upstream.send('a');
    await tick();
    controller.abort();
    upstream.fail(new Error('aborted'));
    expect((await result).status).toBe('aborted');
    const count = response.written.length;
    await tick(30);
    expect(response.written).toHaveLength(count);
    expect(response.ended).toBe(false);
    expect(upstream.cancel).toHaveBeenCalled();
  });
});
