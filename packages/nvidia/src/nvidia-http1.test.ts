import { once } from 'node:events';
import { createSecureServer, type Http2SecureServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { Pool, request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NvidiaConnector } from './nvidia-connector.js';
import { completion, userMessage } from './test-support/fixtures.js';
import { TEST_TLS_CERT, TEST_TLS_KEY } from './test-support/tls.js';

// The hosted integrator offers HTTP/2 by TLS ALPN and often closes its streams abruptly on long requests: the
// connector must ask for HTTP/1.1 only. A plain-HTTP upstream cannot show it (undici speaks HTTP/2 over TLS only),
// so this one offers h2 first over TLS, with a self-signed certificate the test trusts for its own duration.

let server: Http2SecureServer;
let origin: string;
const versions: string[] = [];
const closers: (() => Promise<void>)[] = [];
let savedRejectUnauthorized: string | undefined;

beforeEach(async () => {
  savedRejectUnauthorized = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
  versions.length = 0;
  server = createSecureServer({ key: TEST_TLS_KEY, cert: TEST_TLS_CERT, allowHTTP1: true }, (req, res) => {
    versions.push(req.httpVersion);
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(completion));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (savedRejectUnauthorized === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
  else process.env.NODE_TLS_REJECT_UNAUTHORIZED = savedRejectUnauthorized;
});

describe('NvidiaConnector transport', () => {
  it('the test upstream speaks HTTP/2 to a client that allows it', async () => {
    const pool = new Pool(origin, { allowH2: true, connect: { rejectUnauthorized: false } });
    closers.push(() => pool.close());
    const response = await request(`${origin}/v1/models`, { dispatcher: pool });
    await response.body.dump();
    expect(versions).toEqual(['2.0']);
  });

  it('speaks HTTP/1.1 to an upstream that offers HTTP/2', async () => {
    const connector = new NvidiaConnector({ baseURL: `${origin}/v1`, apiKey: 'nvapi-test', env: {}, healthCheck: false, keepAliveTimeoutMs: 10 });
    closers.push(() => connector.close());
    const result = await connector.chatCompletion({ model: 'meta/llama3-70b', messages: userMessage });
    expect(result.body.choices).toHaveLength(1);
    expect(versions).toEqual(['1.1']);
  });
});
