import { createServer, request } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { closeUnusedConnections, trackConnections } from './unused-connections.js';

const servers: ReturnType<typeof createServer>[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.closeAllConnections();
});

async function listening(handler: Parameters<typeof createServer>[1] = (_request, response) => response.end('ok')) {
  const server = createServer(handler);
  servers.push(server);
  trackConnections(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

const opened = (port: number) =>
  new Promise<Socket>((resolve) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.on('error', () => undefined);
  });
const closedSocket = (socket: Socket) => new Promise<void>((resolve) => (socket.destroyed ? resolve() : socket.once('close', () => resolve())));
const connections = (server: ReturnType<typeof createServer>) => new Promise<number>((resolve) => server.getConnections((_error, count) => resolve(count)));

describe('closeUnusedConnections', () => {
  it('closes a connection that never sent a byte, which closeIdleConnections leaves open', async () => {
    const { server, port } = await listening();
    const socket = await opened(port);
    await expect.poll(() => connections(server)).toBe(1);
    server.closeIdleConnections();
    expect(await connections(server)).toBe(1);
    closeUnusedConnections(server);
    await closedSocket(socket);
    await expect.poll(() => connections(server)).toBe(0);
  });

  it('leaves a connection that has sent part of a request, and one whose response is in flight', async () => {
    let answer: (() => void) | undefined;
    const { server, port } = await listening((_request, response) => {
      answer = () => response.end('late');
    });
    const partial = await opened(port);
    partial.write('POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\n');
    const body = new Promise<string>((resolve) => {
      request({ port, host: '127.0.0.1', path: '/' }, (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => resolve(text));
      }).end();
    });
    await expect.poll(() => answer).toBeDefined();
    await expect.poll(() => connections(server)).toBe(2);
    closeUnusedConnections(server);
    expect(await connections(server)).toBe(2);
    expect(partial.destroyed).toBe(false);
    answer!();
    expect(await body).toBe('late');
  });
});
