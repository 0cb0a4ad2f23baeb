import { EventEmitter, once } from 'node:events';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { Cancellation, ChatSseReader, ProxyError, SecretScrubber, StreamUsageTracker, type CancelSignal, type ChatCompletionStream, type ChatStreamRead } from '@proxy/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ChatStreamEncoder } from '../front-ends/openai-chat/chat-stream-encoder.js';
import { abortOnClientClose } from '../routes/abort-on-client-close.js';
import { commitSseHeaders } from '../streaming/sse-headers.js';
import type { StreamEncoder } from './front-end.js';
import { StreamRelay, type RelayStatus } from './relay-stream.js';

const KEEPALIVE = ': keepalive\n\n';
const chatEncoder = (includeUsage: boolean) =>
  new ChatStreamEncoder({ includeUsage, keepaliveFormat: 'comment', requestId: 'r1', upstreamModel: 'm', created: 1 });
const INTERVAL_MS = 1_000;
const DONE = 'data: [DONE]\n\n';
const USAGE_ONLY = 'data: {"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}\n\n';
const toError = (error: unknown) => (ProxyError.isInstance(error) ? error : new ProxyError({ status: 502, message: String(error) }));

/**
 * An upstream the test scripts: each `send` is one upstream read (through the real ChatSseReader, so a read's
 * bytes are the sent Buffer itself), handed out only when the relay asks for the next one. Like the real stream,
 * it fails when the client's signal fires (the connector aborts its request on the same signal).
 */
class ScriptedUpstream implements ChatCompletionStream {
  readonly cancel = vi.fn();
  readonly #reader = new ChatSseReader(new StreamUsageTracker());
  readonly #queue: (Buffer | Error | 'end')[] = [];
  #wake: (() => void) | undefined;

  constructor(signal?: CancelSignal) {
    signal?.addEventListener('abort', () => this.fail(new Error('This operation was aborted')));
  }

  get usage() {
    return undefined;
  }

  get sawDone() {
    return this.#reader.done;
  }

  /** Reads sent and not yet taken by the relay. */
  get pending(): number {
    return this.#queue.length;
  }

  send(bytes: string | Buffer): Buffer {
    const buffer = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
    this.#push(buffer);
    return buffer;
  }

  fail(error: Error): void {
    this.#push(error);
  }

  end(): void {
    this.#push('end');
  }

  #push(item: Buffer | Error | 'end'): void {
    this.#queue.push(item);
    this.#wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<ChatStreamRead> {
    for (;;) {
      while (this.#queue.length === 0) await new Promise<void>((resolve) => (this.#wake = resolve));
      const item = this.#queue.shift()!;
      if (item === 'end') return;
      if (item instanceof Error) throw item;
      const read = this.#reader.push(item);
      if (read) yield read;
      if (this.#reader.done) return;
    }
  }
}

/** Where only calls matter: records writes, ends and releases in order; `full` makes write() report a full buffer. */
class FakeResponse extends EventEmitter {
  readonly writes: (string | Uint8Array)[] = [];
  readonly calls: string[] = [];
  ended = false;
  full = false;

  get writableNeedDrain(): boolean {
    return this.full;
  }

  write(chunk: string | Uint8Array): boolean {
    this.writes.push(chunk);
    this.calls.push('write');
    return !this.full;
  }

  end(chunk?: string | Uint8Array): void {
    if (chunk !== undefined) this.writes.push(chunk);
    this.calls.push('end');
    this.ended = true;
  }

  drain(): void {
    this.full = false;
    this.emit('drain');
  }

  get text(): string[] {
    return this.writes.map((chunk) => (typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')));
  }
}

function fakeRelay(options: { includeUsage?: boolean; keepaliveIntervalMs?: number; encoder?: StreamEncoder; scrubber?: SecretScrubber } = {}) {
  const response = new FakeResponse();
  const signal = new Cancellation();
  const release = vi.fn(() => response.calls.push('release'));
  const relay = new StreamRelay({
    response: response as unknown as ServerResponse,
    encoder: options.encoder ?? chatEncoder(options.includeUsage ?? false),
    signal,
    keepaliveIntervalMs: options.keepaliveIntervalMs ?? 0,
    release,
    scrubber: options.scrubber,
  });
  const upstream = new ScriptedUpstream(signal);
  return { response, signal, release, relay, upstream };
}

/**
 * Lets every pending promise callback run (the relay's reads and writes against a fake response are microtasks
 * only), without waiting for any amount of time: a setImmediate callback runs after the microtask queue is empty.
 */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

const keepalivesIn = (response: FakeResponse) => response.text.filter((chunk) => chunk === KEEPALIVE).length;

afterEach(() => {
  vi.useRealTimers();
});

describe('StreamRelay (calls)', () => {
  it('writes each read as the Buffer the upstream sent, then [DONE] last, and releases the upstream', async () => {
    const { response, relay, upstream } = fakeRelay({ includeUsage: true });
    relay.open(false);
    const result = relay.pipe(upstream, toError);
    const first = upstream.send('data: {"a":1}\n\n');
    const second = upstream.send('data: {"b":2}\n\ndata: {"c":3}\n\n');
    upstream.end();
    expect(await result).toBe<RelayStatus>('completed');
    expect(response.writes[0]).toBe(first);
    expect(response.writes[1]).toBe(second);
    expect(response.text).toEqual(['data: {"a":1}\n\n', 'data: {"b":2}\n\ndata: {"c":3}\n\n', DONE]);
    expect(response.ended).toBe(true);
    expect(upstream.cancel).toHaveBeenCalled();
    expect(relay.error).toBeUndefined();
  });

  it('drops usage-only frames for a client that did not ask for include_usage, and writes nothing for a read of only those', async () => {
    const { response, relay, upstream } = fakeRelay();
    relay.open(false);
    const result = relay.pipe(upstream, toError);
    upstream.send(`data: {"a":1}\n\n${USAGE_ONLY}`);
    upstream.send(USAGE_ONLY);
    upstream.send(`data: {"b":2}\n\n${DONE}`);
    expect(await result).toBe('completed');
    expect(response.text).toEqual(['data: {"a":1}\n\n', 'data: {"b":2}\n\n', DONE]);
  });

  it('forwards usage-only frames to a client that asked for include_usage', async () => {
    const { response, relay, upstream } = fakeRelay({ includeUsage: true });
    relay.open(false);
    const result = relay.pipe(upstream, toError);
    upstream.send(USAGE_ONLY);
    upstream.send(DONE);
    expect(await result).toBe('completed');
    expect(response.text).toEqual([USAGE_ONLY, DONE]);
  });

  it('ends with an error event and no [DONE] when the upstream fails mid-stream', async () => {
    const { response, relay, upstream } = fakeRelay();
    relay.open(false);
    const result = relay.pipe(upstream, toError);
    upstream.send('data: {"a":1}\n\n');
    upstream.fail(new ProxyError({ status: 502, code: 'upstream_connection_error', message: 'reset' }));
    expect(await result).toBe('failed');
    expect(response.text).toEqual(['data: {"a":1}\n\n', 'data: {"error":{"message":"reset","type":"upstream_error","param":null,"code":"upstream_connection_error"}}\n\n']);
    expect(response.ended).toBe(true);
    expect(relay.error?.code).toBe('upstream_connection_error');
    expect(upstream.cancel).toHaveBeenCalled();
  });

  it("ends as failed, with the encoder's error, when the encoder ended the stream on an error the upstream reported in it", async () => {
    const failure = new ProxyError({ status: 502, code: 'upstream_error', message: 'The nvidia upstream reported an error in its stream: boom' });
    const encoder: StreamEncoder & { failure: ProxyError | undefined } = {
      failure: undefined,
      start: () => '',
      read() {
        encoder.failure = failure;
        return 'event: error\n\n';
      },
      keepalive: () => '',
      end: () => '',
      error: () => '',
    };
    const { response, relay, upstream } = fakeRelay({ encoder });
    relay.open(false);
    const result = relay.pipe(upstream, toError);
    upstream.send('data: {"error":{"message":"boom"}}\n\n');
    upstream.end();
    expect(await result).toBe<RelayStatus>('failed');
    expect(relay.error).toBe(failure);
    expect(response.text.join('')).toBe('event: error\n\n');
    expect(response.ended).toBe(true);
  });

  it('scrubs every frame the encoder writes, its opening and its ending included (they can repeat what came from upstream)', async () => {
    const key = 'nvapi-upstream-key-0123456789';
    const encoder: StreamEncoder = {
      start: () => `start ${key}\n`,
      read: () => `read ${key}\n`,
      keepalive: () => '',
      end: () => `end ${key}\n`,
      error: () => '',
    };
    const { response, relay, upstream } = fakeRelay({ encoder, scrubber: new SecretScrubber([key]) });
    relay.open(false);
    const result = relay.pipe(upstream, toError);
    upstream.send('data: {"a":1}\n\n');
    upstream.end();
    expect(await result).toBe<RelayStatus>('completed');
    expect(response.text.join('')).toBe('start [redacted]\nread [redacted]\nend [redacted]\n');
  });

  it('maps a failure that is not a ProxyError with toError', async () => {
    const { response, relay, upstream } = fakeRelay();
    relay.open(false);
    const result = relay.pipe(upstream, () => new ProxyError({ status: 504, code: 'upstream_timeout', message: 'mapped' }));
    upstream.fail(new TypeError('socket hang up'));
    expect(await result).toBe('failed');
    expect(response.text.at(-1)).toContain('"code":"upstream_timeout"');
    expect(response.text.join('')).not.toContain('[DONE]');
  });

  it('fail() after a silent open: keep-alive first, the error event last, no [DONE]', () => {
    const { response, relay } = fakeRelay();
    relay.open(true);
    expect(relay.fail(new ProxyError({ status: 503, code: 'overloaded', message: 'busy' }))).toBe('failed');
    expect(response.text).toEqual([KEEPALIVE, 'data: {"error":{"message":"busy","type":"upstream_error","param":null,"code":"overloaded"}}\n\n']);
    expect(response.ended).toBe(true);
  });

  it('holds the headers through a quiet open and releases them right after the first write', async () => {
    const { response, release, relay, upstream } = fakeRelay();
    relay.open(false);
    expect(response.calls).toEqual([]);
    const result = relay.pipe(upstream, toError);
    await settle();
    expect(release).not.toHaveBeenCalled();
    upstream.send('data: {"a":1}\n\n');
    await settle();
    expect(response.calls).toEqual(['write', 'release']);
    upstream.send(DONE);
    await result;
  });

  it('on a silent open, sends a keep-alive at once and releases the headers with it', () => {
    const { response, relay } = fakeRelay();
    relay.open(true);
    expect(response.text).toEqual([KEEPALIVE]);
    expect(response.calls).toEqual(['write', 'release']);
  });

  it('sends keep-alives while the upstream is silent, counting silence from the last write', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { response, relay, upstream } = fakeRelay({ keepaliveIntervalMs: INTERVAL_MS });
    relay.open(false);
    const result = relay.pipe(upstream, toError);
    vi.advanceTimersByTime(INTERVAL_MS - 1);
    expect(keepalivesIn(response)).toBe(0);
    vi.advanceTimersByTime(1);
    expect(keepalivesIn(response)).toBe(1);
    vi.advanceTimersByTime(2 * INTERVAL_MS);
    expect(keepalivesIn(response)).toBe(3);
    upstream.send('data: {"a":1}\n\n');
    await settle();
    vi.advanceTimersByTime(INTERVAL_MS - 1);
    expect(keepalivesIn(response)).toBe(3);
    vi.advanceTimersByTime(1);
    expect(keepalivesIn(response)).toBe(4);
    upstream.send(DONE);
    expect(await result).toBe('completed');
    expect(response.text.at(-1)).toBe(DONE);
    // Nothing after the end.
    vi.advanceTimersByTime(10 * INTERVAL_MS);
    expect(response.text.at(-1)).toBe(DONE);
  });

  it('sends no keep-alive to a client that is not reading, and sends them again once it drains', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { response, relay, upstream } = fakeRelay({ keepaliveIntervalMs: INTERVAL_MS });
    relay.open(false);
    const result = relay.pipe(upstream, toError);
    response.full = true;
    upstream.send('data: {"a":1}\n\n');
    await settle();
    vi.advanceTimersByTime(5 * INTERVAL_MS);
    expect(response.text).toEqual(['data: {"a":1}\n\n']);
    response.drain();
    await settle();
    vi.advanceTimersByTime(INTERVAL_MS);
    expect(response.text).toEqual(['data: {"a":1}\n\n', KEEPALIVE]);
    upstream.send(DONE);
    await result;
  });

  it('reads nothing more from the upstream while the client’s buffer is full, and goes on after drain', async () => {
    const { response, relay, upstream } = fakeRelay();
    relay.open(false);
    const result = relay.pipe(upstream, toError);
    response.full = true;
    upstream.send('data: {"a":1}\n\n');
    upstream.send('data: {"b":2}\n\n');
    await settle();
    expect(response.text).toEqual(['data: {"a":1}\n\n']);
    expect(upstream.pending).toBe(1);
    response.drain();
    await settle();
    expect(upstream.pending).toBe(0);
    upstream.send(DONE);
    expect(await result).toBe('completed');
    expect(response.text).toEqual(['data: {"a":1}\n\n', 'data: {"b":2}\n\n', DONE]);
  });

  it('stops quietly when the client leaves while waiting on the upstream: aborted, no ending, no more keep-alives', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { response, signal, relay, upstream } = fakeRelay({ keepaliveIntervalMs: INTERVAL_MS });
    relay.open(false);
    const result = relay.pipe(upstream, toError);
    upstream.send('data: {"a":1}\n\n');
    await settle();
    signal.abort();
    expect(await result).toBe('aborted');
    vi.advanceTimersByTime(10 * INTERVAL_MS);
    expect(response.text).toEqual(['data: {"a":1}\n\n']);
    expect(response.ended).toBe(false);
    expect(relay.error).toBeUndefined();
    expect(upstream.cancel).toHaveBeenCalled();
  });

  it('stops when the client leaves while its buffer is full, without waiting for a drain that never comes', async () => {
    const { response, signal, relay } = fakeRelay();
    // An upstream that ignores the signal: only the relay's own wait for drain-or-abort can end this.
    const upstream = new ScriptedUpstream();
    relay.open(false);
    const result = relay.pipe(upstream, toError);
    response.full = true;
    upstream.send('data: {"a":1}\n\n');
    upstream.send('data: {"b":2}\n\n');
    await settle();
    signal.abort();
    expect(await result).toBe('aborted');
    expect(response.text).toEqual(['data: {"a":1}\n\n']);
    expect(response.ended).toBe(false);
    expect(upstream.cancel).toHaveBeenCalled();
  });

  it('fail() after the client left writes nothing', () => {
    const { response, signal, relay } = fakeRelay();
    relay.open(false);
    signal.abort();
    expect(relay.fail(new ProxyError({ status: 502, message: 'late' }))).toBe('aborted');
    expect(response.writes).toEqual([]);
    expect(response.ended).toBe(false);
  });
});

describe('StreamRelay (sockets)', () => {
  let server: Server | undefined;
  const clients: Socket[] = [];
  afterEach(async () => {
    for (const client of clients.splice(0)) client.destroy();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    server = undefined;
  });

  /**
   * A real `node:http` server whose one handler commits the stream as the exchange does (held headers, the client's
   * close as the signal) and relays `upstream`; a raw client socket sends one request. Resolves the relay's status.
   */
  async function serve(makeUpstream: (signal: CancelSignal, response: ServerResponse) => ChatCompletionStream) {
    let settled!: (status: RelayStatus) => void;
    const status = new Promise<RelayStatus>((resolve) => (settled = resolve));
    const responses: ServerResponse[] = [];
    server = createServer((_request, response) => {
      responses.push(response);
      const signal = abortOnClientClose(response);
      const release = commitSseHeaders(response, {});
      const relay = new StreamRelay({ response, encoder: chatEncoder(false), signal, keepaliveIntervalMs: 0, release });
      relay.open(false);
      void relay.pipe(makeUpstream(signal, response), toError).then(settled);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const client = connect((server.address() as AddressInfo).port, '127.0.0.1');
    clients.push(client);
    client.write('GET / HTTP/1.1\r\nhost: x\r\n\r\n');
    return { client, status, response: () => responses[0]! };
  }

  /** What the client reads, its first read apart, until the server ends the response (the last, 0-size chunk). */
  async function readResponse(client: Socket): Promise<{ first: string; all: Buffer }> {
    const chunks: Buffer[] = [];
    let tail = '';
    for await (const chunk of client) {
      chunks.push(chunk as Buffer);
      tail = (tail + (chunk as Buffer).subarray(-7).toString('latin1')).slice(-7);
      if (tail === '\r\n0\r\n\r\n') break;
    }
    return { first: chunks[0]?.toString('latin1') ?? '', all: Buffer.concat(chunks) };
  }

  it('sends the held headers in the same write as the first event, the upstream’s bytes as they came and [DONE] last', async () => {
    const upstream = new ScriptedUpstream();
    upstream.send('data: {"a":1}\n\n');
    upstream.send(`data: {"b":2}\n\n${USAGE_ONLY}`);
    upstream.send(DONE);
    const { client, status } = await serve(() => upstream);
    const { first, all: bytes } = await readResponse(client);
    const all = bytes.toString('latin1');
    expect(first).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\n[\s\S]*data: \{"a":1\}\n\n/);
    const body = all.slice(all.indexOf('\r\n\r\n') + 4);
    expect(body).toContain('data: {"a":1}\n\n');
    expect(body).toContain('data: {"b":2}\n\n');
    expect(body).not.toContain('"choices":[]');
    expect(body.indexOf(DONE)).toBeGreaterThan(body.indexOf('data: {"b":2}'));
    expect(await status).toBe('completed');
  });

  it('reads the upstream no faster than the client reads the socket', async () => {
    // Reads far larger than any socket buffer, so each one fills the client's and its write reports back-pressure.
    const big = Buffer.from(`data: {"x":"${'x'.repeat(8 * 1024 * 1024)}"}\n\n`);
    const reads = 4;
    const needDrainAtEachRead: boolean[] = [];
    let refused = 0;
    const { client, status } = await serve((_signal, response) => {
      const write = response.write.bind(response) as (chunk: string | Uint8Array) => boolean;
      response.write = ((chunk: string | Uint8Array) => {
        const flushed = write(chunk);
        if (!flushed) refused++;
        return flushed;
      }) as typeof response.write;
      const upstream = new ScriptedUpstream();
      const reader = new ChatSseReader(new StreamUsageTracker());
      return {
        usage: undefined,
        sawDone: false,
        cancel: upstream.cancel,
        async *[Symbol.asyncIterator]() {
          for (let i = 0; i < reads; i++) {
            // Honoured back-pressure: the relay asks for the next read only once the socket has drained.
            needDrainAtEachRead.push(response.writableNeedDrain);
            yield reader.push(big)!;
          }
        },
      };
    });
    const received = (await readResponse(client)).all.length;
    expect(await status).toBe('completed');
    expect(refused).toBeGreaterThan(0);
    expect(needDrainAtEachRead).toEqual(Array.from({ length: reads }, () => false));
    expect(received).toBeGreaterThan(reads * big.length);
  });

  it('ends as aborted when the client closes its socket mid-stream, and cancels the upstream', async () => {
    let upstream!: ScriptedUpstream;
    const { client, status } = await serve((signal) => {
      upstream = new ScriptedUpstream(signal);
      upstream.send('data: {"a":1}\n\n');
      return upstream;
    });
    await once(client, 'data');
    client.destroy();
    expect(await status).toBe('aborted');
    expect(upstream.cancel).toHaveBeenCalled();
  });
});
