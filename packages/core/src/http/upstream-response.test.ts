import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cancellation } from '../cancellation.js';
import { dispatchUpstream, type UpstreamRequest } from './upstream-response.js';

// A real upstream on an ephemeral port: UpstreamResponse is undici's handler, so only real HTTP exercises it.
let server: Server;
let origin: string;
let pool: Pool;
const held: ServerResponse[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
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

describe('UpstreamResponse', () => {
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

  it('stops reading while paused and reads the rest after resume', async () => {
    const response = await dispatchUpstream(pool, request('/big'));
    let received = 0;
    let holding = true;
    const ended = new Promise<void>((resolve, reject) => {
      response.consume({
        data: (chunk) => {
          received += chunk.length;
          if (holding) response.pause();
        },
        end: resolve,
        error: reject,
      });
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const whilePaused = received;
    expect(whilePaused).toBeGreaterThan(0);
    expect(whilePaused).toBeLessThan(64 * 16 * 1024);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(received).toBe(whilePaused); // nothing more was read while paused
    holding = false;
    response.resume();
    await ended;
    expect(received).toBe(64 * 16 * 1024);
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
    expect(size).toBe(64 * 16 * 1024);
  });

  it('fails a body being read when the signal aborts', async () => {
    const signal = new Cancellation();
    const response = await dispatchUpstream(pool, request('/hold', signal));
    const body = response.text();
    signal.abort();
    await expect(body).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('never sends a request whose signal aborted first', async () => {
    const signal = new Cancellation();
    signal.abort();
    await expect(dispatchUpstream(pool, request('/', signal))).rejects.toMatchObject({ name: 'AbortError' });
  });
});
