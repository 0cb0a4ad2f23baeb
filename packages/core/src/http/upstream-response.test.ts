import { EventEmitter, once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool, type Dispatcher } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cancellation } from '../cancellation.js';
import { dispatchUpstream, UpstreamResponse, type UpstreamRequest } from './upstream-response.js';

// A real upstream on an ephemeral port: UpstreamResponse is undici's handler, so only real HTTP exercises it.
let server: Server;
let origin: string;
let pool: Pool;
const held: ServerResponse[] = [];
/** Emits 'request' with each request the upstream receives, before it answers. */
const arrivals = new EventEmitter();
const BIG = 64 * 16 * 1024;

beforeAll(async () => {
  server = createServer((req, res) => {
    arrivals.emit('request', req, res);
    if (req.url === '/headers') {
      res.writeHead(429, { 'Retry-After': '7', 'X-Custom': 'a' });
      res.end('{}');
    } else if (req.url === '/big') {
      // 64 writes of 16 KiB: far more than one socket read, so pausing has something to hold back.
      res.writeHead(200);
      const chunk = Buffer.alloc(16 * 1024, 0x61);
      for (let i = 0; i < 64; i++) res.write(chunk);
      res.end();
    } else if (req.url === '/hold') {
      res.writeHead(200);
      res.write('first');
      held.push(res);
    } else if (req.url === '/steps') {
      res.writeHead(200);
      res.write('one'); // the test writes the rest
      held.push(res);
    } else if (req.url === '/stall') {
      held.push(res); // never answers
    } else if (req.url === '/early-hints') {
      res.writeEarlyHints({ link: '</style.css>; rel=preload; as=style' }, () => {
        res.writeHead(200, { 'content-type': 'text/plain', 'x-final': 'yes' });
        res.end('after hints');
      });
    } else {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('hello');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  pool = new Pool(origin, { allowH2: false });
});

afterAll(async () => {
  for (const res of held) res.destroy();
  await pool.destroy();
  await new Promise((resolve) => server.close(resolve));
});

const request = (path: string, signal?: Cancellation): UpstreamRequest => ({
  origin,
  path,
  method: 'GET',
  headers: {},
  headersTimeout: 5000,
  bodyTimeout: 5000,
  signal,
});

/** The next request the upstream receives, once it has arrived. */
const nextArrival = (): Promise<IncomingMessage> => once(arrivals, 'request').then(([req]) => req as IncomingMessage);
const nextResponse = (): Promise<ServerResponse> => once(arrivals, 'request').then(([, res]) => res as ServerResponse);

/**
 * A dispatcher that lets a test see what undici sees: the controller of the last request, and whether a chunk was
 * delivered while that controller was paused (which undici must never do).
 */
function observed(inner: Dispatcher) {
  const seen = { controller: undefined as Dispatcher.DispatchController | undefined, statuses: [] as number[], bytes: 0, whilePaused: 0 };
  const onBytes: ((bytes: number) => void)[] = [];
  let failedWith!: (error: Error) => void;
  /** Resolves with the error undici reports to the handler. */
  const failed = new Promise<Error>((resolve) => (failedWith = resolve));
  const dispatcher = {
    dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
      return inner.dispatch(options, {
        onRequestStart: (controller, context) => {
          seen.controller = controller;
          handler.onRequestStart!(controller, context);
        },
        onResponseStart: (controller, statusCode, headers, statusMessage) => {
          seen.statuses.push(statusCode);
          handler.onResponseStart!(controller, statusCode, headers, statusMessage);
        },
        onResponseData: (controller, chunk) => {
          if (controller.paused) seen.whilePaused++;
          seen.bytes += chunk.length;
          handler.onResponseData!(controller, chunk);
          for (const listener of onBytes) listener(seen.bytes);
        },
        onResponseEnd: (controller, trailers) => handler.onResponseEnd!(controller, trailers),
        onResponseError: (controller, error) => {
          failedWith(error);
          handler.onResponseError!(controller, error);
        },
      });
    },
  } as unknown as Dispatcher;
  /** Resolves once undici has delivered more than `bytes` bytes. */
  const delivered = (bytes: number) =>
    new Promise<void>((resolve) => {
      if (seen.bytes > bytes) return resolve();
      onBytes.push((total) => total > bytes && resolve());
    });
  return { dispatcher, seen, delivered, failed };
}

describe('UpstreamResponse', () => {
  it('is a handler on undici’s controller API, with none of the deprecated hooks', () => {
    const hooks = Object.getOwnPropertyNames(UpstreamResponse.prototype);
    expect(hooks).toEqual(expect.arrayContaining(['onRequestStart', 'onResponseStart', 'onResponseData', 'onResponseEnd', 'onResponseError']));
    for (const legacy of ['onConnect', 'onHeaders', 'onData', 'onComplete', 'onError', 'onUpgrade']) expect(hooks).not.toContain(legacy);
  });

  it('resolves with the status and reads the body', async () => {
    const response = await dispatchUpstream(pool, request('/'));
    expect(response.statusCode).toBe(200);
    expect(await response.text()).toBe('hello');
  });

  it('parses headers, names in lower case, when they are read', async () => {
    const response = await dispatchUpstream(pool, request('/headers'));
    expect(response.statusCode).toBe(429);
    expect(response.headers['retry-after']).toBe('7');
    expect(response.headers['x-custom']).toBe('a');
    response.discard(1024);
  });

  it('skips a 1xx informational response (103 Early Hints) and resolves with the answer after it', async () => {
    const { dispatcher, seen } = observed(pool);
    const response = await dispatchUpstream(dispatcher, request('/early-hints'));
    expect(seen.statuses).toEqual([103, 200]);
    expect(response.statusCode).toBe(200);
    expect(response.headers['x-final']).toBe('yes');
    expect(response.headers['link']).toBeUndefined();
    expect(await response.text()).toBe('after hints');
  });

  it('stops reading while paused and reads the rest after resume', async () => {
    const response = await dispatchUpstream(pool, request('/big'));
    let received = 0;
    let holding = true;
    let firstChunk!: () => void;
    const first = new Promise<void>((resolve) => (firstChunk = resolve));
    const ended = new Promise<void>((resolve, reject) => {
      response.consume({
        data: (chunk) => {
          received += chunk.length;
          if (holding) response.pause();
          firstChunk();
        },
        end: resolve,
        error: reject,
      });
    });
    await first;
    const whilePaused = received;
    expect(whilePaused).toBeGreaterThan(0);
    expect(whilePaused).toBeLessThan(BIG);
    // A slow machine can only hide a failure here, never cause one: a paused exchange reads nothing at all.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(received).toBe(whilePaused); // nothing more was read while paused
    holding = false;
    response.resume();
    await ended;
    expect(received).toBe(BIG);
  });

  it('hands the whole body to a consumer that resumes after each pause', async () => {
    const response = await dispatchUpstream(pool, request('/big'));
    const size = await new Promise<number>((resolve, reject) => {
      let received = 0;
      response.consume({
        data: (chunk) => {
          received += chunk.length;
          response.pause();
          setImmediate(() => response.resume());
        },
        end: () => resolve(received),
        error: reject,
      });
    });
    expect(size).toBe(BIG);
  });

  it('pauses the upstream once 256 KiB wait for a consumer, and hands them all over when one comes', async () => {
    const { dispatcher, seen, delivered } = observed(pool);
    const response = await dispatchUpstream(dispatcher, request('/big'));
    await delivered(256 * 1024);
    expect(seen.controller!.paused).toBe(true);
    expect(seen.bytes).toBeLessThan(BIG);
    const body = await response.text();
    expect(body.length).toBe(BIG);
    expect(seen.whilePaused).toBe(0);
    expect(seen.controller!.paused).toBe(false);
  });

  it('pauses undici’s controller on pause(), and never feeds a consumer from inside its own resume()', async () => {
    const { dispatcher, seen } = observed(pool);
    const response = await dispatchUpstream(dispatcher, request('/big'));
    let chunks = 0;
    let pausedEveryTime = true;
    let depth = 0;
    let deepest = 0;
    const size = await new Promise<number>((resolve, reject) => {
      let received = 0;
      response.consume({
        data: (chunk) => {
          deepest = Math.max(deepest, ++depth);
          chunks++;
          received += chunk.length;
          response.pause();
          pausedEveryTime &&= seen.controller!.paused;
          response.resume();
          depth--;
        },
        end: () => resolve(received),
        error: reject,
      });
    });
    expect(size).toBe(BIG);
    expect(chunks).toBeGreaterThan(1);
    expect(pausedEveryTime).toBe(true);
    expect(deepest).toBe(1);
  });

  it('holds back a chunk undici delivers after a pause() made between chunks, until resume()', async () => {
    const { dispatcher, delivered } = observed(pool);
    const upstream = nextResponse();
    const response = await dispatchUpstream(dispatcher, request('/steps'));
    const res = await upstream;
    const chunks: string[] = [];
    let firstChunk!: () => void;
    const first = new Promise<void>((resolve) => (firstChunk = resolve));
    const ended = new Promise<void>((resolve, reject) => {
      response.consume({
        data: (chunk) => {
          chunks.push(chunk.toString());
          firstChunk();
        },
        end: resolve,
        error: reject,
      });
    });
    await first;
    response.pause(); // outside undici's hooks: undici reads the pause only when its next chunk has been handed over
    res.write('two');
    await delivered('one'.length);
    expect(chunks).toEqual(['one']);
    response.resume();
    expect(chunks).toEqual(['one', 'two']);
    res.end();
    await ended;
  });

  it('hands the socket back to the pool once discard() has read the rest', async () => {
    const single = new Pool(origin, { allowH2: false, connections: 1 });
    try {
      const firstArrival = nextArrival();
      const response = await dispatchUpstream(single, request('/headers'));
      const firstPort = (await firstArrival).socket.remotePort;
      response.discard(1024);
      // One connection: this request is served only once the first one gave its socket back.
      const secondArrival = nextArrival();
      const next = await dispatchUpstream(single, request('/'));
      expect(await next.text()).toBe('hello');
      expect((await secondArrival).socket.remotePort).toBe(firstPort);
    } finally {
      await single.destroy();
    }
  });

  it('cuts off an upstream that sends more than discard() allows', async () => {
    const { dispatcher, seen, failed } = observed(pool);
    const response = await dispatchUpstream(dispatcher, request('/big'));
    response.discard(1024);
    expect(await failed).toMatchObject({ name: 'AbortError' });
    expect(seen.controller!.aborted).toBe(true);
    expect(seen.bytes).toBeLessThan(BIG);
  });

  it('resolves text(limit) with the first `limit` bytes and stops reading', async () => {
    const { dispatcher, seen } = observed(pool);
    const response = await dispatchUpstream(dispatcher, request('/big'));
    expect(await response.text(10)).toBe('a'.repeat(10));
    expect(seen.controller!.aborted).toBe(true);
  });

  it('fails a body being read when the signal aborts', async () => {
    const signal = new Cancellation();
    const response = await dispatchUpstream(pool, request('/hold', signal));
    const body = response.text();
    signal.abort();
    await expect(body).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('fails the call when the signal aborts while the upstream has not answered', async () => {
    const { dispatcher, seen } = observed(pool);
    const signal = new Cancellation();
    const arrived = nextArrival();
    const pending = dispatchUpstream(dispatcher, request('/stall', signal));
    await arrived;
    signal.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen.controller!.aborted).toBe(true);
  });

  it('cancels a request whose signal aborts before it is on a connection, and never sends it', async () => {
    const single = new Pool(origin, { allowH2: false, connections: 1 });
    const urls: string[] = [];
    const record = (req: IncomingMessage) => urls.push(req.url!);
    arrivals.on('request', record);
    try {
      const signal = new Cancellation();
      // A new pool connects asynchronously: the request is still queued when the signal fires.
      const pending = dispatchUpstream(single, request('/?unsent', signal));
      signal.abort();
      await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
      // Same pool, one connection, in order: once this one is answered, the cancelled one would have been seen.
      const next = await dispatchUpstream(single, request('/?after'));
      expect(await next.text()).toBe('hello');
      expect(urls).toEqual(['/?after']);
    } finally {
      arrivals.off('request', record);
      await single.destroy();
    }
  });

  it('never sends a request whose signal aborted first', async () => {
    const signal = new Cancellation();
    signal.abort();
    await expect(dispatchUpstream(pool, request('/', signal))).rejects.toMatchObject({ name: 'AbortError' });
  });
});
