import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProxyError } from '../errors/proxy-error.js';
import { OpenAICompatibleConnector } from './openai-compatible-connector.js';

const request = { model: 'm', messages: [{ role: 'user', content: 'Hi' }] };
let server: Server | undefined;
let connector: OpenAICompatibleConnector | undefined;
afterEach(async () => {
  await connector?.close();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

async function answering(respond: (res: ServerResponse) => void, bodyLimitBytes?: number): Promise<OpenAICompatibleConnector> {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => respond(res));
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  connector = new OpenAICompatibleConnector({ name: 'odd', baseURL: `http://127.0.0.1:${port}/v1`, apiKey: 'k', keepAliveTimeoutMs: 10, bodyLimitBytes });
  return connector;
}

const failure = (promise: Promise<unknown>) => promise.then(() => expect.unreachable('the call succeeded'), (error: ProxyError) => error);

describe('OpenAICompatibleConnector: answers that are not what the call expects', () => {
  it.each([
    ['an HTML page to a stream', (res: ServerResponse) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>login</html>'), /text\/html, not an event stream/],
    ['JSON to a stream', (res: ServerResponse) => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'), /application\/json, not an event stream/],
    ['a gzip body', (res: ServerResponse) => res.writeHead(200, { 'content-type': 'text/event-stream', 'content-encoding': 'gzip' }).end('x'), /gzip-compressed/],
    ['a redirect', (res: ServerResponse) => res.writeHead(302, { location: 'http://127.0.0.1:1/elsewhere' }).end(), /302 \(a redirect\)/],
  ])('fails a stream answered with %s as a 502, before anything is relayed', async (_what, respond, message) => {
    const error = await failure((await answering(respond)).streamChatCompletion(request));
    expect(error).toMatchObject({ status: 502, code: 'upstream_invalid_response' });
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain('127.0.0.1');
  });

  it('fails a completion answered with an HTML page as a 502', async () => {
    const error = await failure((await answering((res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html/>'))).chatCompletion(request));
    expect(error).toMatchObject({ status: 502, code: 'upstream_invalid_response' });
    expect(error.message).toMatch(/text\/html, not JSON/);
  });

  it('fails a JSON answer that never ends as a 502 once it passes the limit, and stops reading it', async () => {
    let closed: () => void = () => undefined;
    const upstreamClosed = new Promise<void>((resolve) => (closed = resolve));
    const piece = Buffer.alloc(64 * 1024, 'x');
    const endless = (res: ServerResponse) => {
      res.on('close', closed);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"id":"');
      const pump = () => {
        while (!res.destroyed && res.write(piece));
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
    };
    const error = await failure((await answering(endless, 1024 * 1024)).chatCompletion(request));
    expect(error).toMatchObject({ status: 502, code: 'upstream_response_too_large' });
    expect(error.message).toContain('1048576 bytes');
    await upstreamClosed; // the connection was cut, not read to its end
  });
});
