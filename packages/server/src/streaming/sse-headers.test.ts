import { once } from 'node:events';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { commitSseHeaders } from './sse-headers.js';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

/** A server whose only handler is `handle`, and the first bytes a raw client reads from it. */
async function firstRead(handle: (response: ServerResponse) => void): Promise<string> {
  server = createServer((_request, response) => handle(response));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
  socket.write('GET / HTTP/1.1\r\nhost: x\r\n\r\n');
  const [chunk] = (await once(socket, 'data')) as [Buffer];
  socket.destroy();
  return chunk.toString('latin1');
}

describe('commitSseHeaders', () => {
  it('sends the headers even when nothing follows them', async () => {
    const read = await firstRead((response) => commitSseHeaders(response, { 'x-request-id': 'r1' }));
    expect(read).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(read).toContain('content-type: text/event-stream; charset=utf-8\r\n');
    expect(read).toContain('x-request-id: r1\r\n');
  });

  it('holds the socket corked until the end of the turn, so headers and the first events leave in one write', async () => {
    const corked: number[] = [];
    const read = await firstRead((response) => {
      commitSseHeaders(response, {});
      corked.push(response.socket!.writableCorked);
      response.write('data: one\n\n');
      setImmediate(() => {
        corked.push(response.socket!.writableCorked);
        response.end('data: [DONE]\n\n');
      });
    });
    expect(corked).toEqual([1, 0]);
    expect(read).toContain('\r\n\r\n');
    expect(read).toContain('data: one\n\n');
  });

  it('sends what it holds at once when released, and only once', async () => {
    const corked: number[] = [];
    let checked: Promise<void> | undefined;
    const read = await firstRead((response) => {
      const socket = response.socket!;
      const release = commitSseHeaders(response, {});
      response.end('data: [DONE]\n\n');
      release();
      corked.push(socket.writableCorked);
      release();
      // A later cork on the same socket (the next request on a keep-alive connection) is not undone by this one.
      socket.cork();
      checked = new Promise((resolve) =>
        setImmediate(() => {
          corked.push(socket.writableCorked);
          socket.uncork();
          resolve();
        }),
      );
    });
    await checked;
    expect(corked).toEqual([0, 1]);
    // Headers and the body in the first read: one write.
    expect(read).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\n[\s\S]*data: \[DONE\]\n\n/);
  });
});
