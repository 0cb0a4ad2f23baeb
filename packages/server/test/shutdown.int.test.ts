import { connect, type Socket } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { closeGracefully } from '../src/close-gracefully.js';
import { chunk, gate, NEVER, streamEvents, useFakeUpstream } from './support/fake-upstream.js';
import { chatBody, createTestProxy, PROXY_KEY, type TestProxy } from './support/proxy.js';
import { dataFrames, postChat } from './support/sse-client.js';

let proxy: TestProxy;
const upstream = useFakeUpstream(() => proxy);

describe('graceful shutdown', () => {
  it('stops accepting connections but lets an in-flight stream finish', async () => {
    // The stream is held open until the test has seen the proxy refuse new work: in flight, whatever the speed.
    const refused = gate();
    upstream().onChat((_request, response) => streamEvents(response, [chunk('a'), refused.opened, chunk('b'), chunk('c'), '[DONE]']));
    proxy = createTestProxy(upstream().baseUrl);
    const url = await proxy.listen();
    const response = await postChat(url, chatBody({ stream: true }));
    await response.waitFor(chunk('a'));

    const closing = closeGracefully(proxy.app, 5_000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Refused once the listener is closed; 503 if the request squeezed in while Fastify was closing.
    const late = await fetch(`${url}/healthz`).then((answer) => answer.status, () => 'refused');
    expect(['refused', 503]).toContain(late);
    refused.open();

    expect(dataFrames(await response.text)).toEqual([chunk('a'), chunk('b'), chunk('c'), '[DONE]']);
    expect(await closing).toBe(true);
  });

  it("answers a request that arrives on an open connection while draining with shutting_down in its API's shape", async () => {
    const release = gate();
    upstream().onChat((_request, response) => streamEvents(response, [chunk('a'), release.opened, chunk('b'), '[DONE]']));
    proxy = createTestProxy(upstream().baseUrl);
    const url = new URL(await proxy.listen());
    const socket = await new Promise<Socket>((resolve) => {
      const opened = connect(Number(url.port), url.hostname, () => resolve(opened));
      opened.on('error', () => undefined);
    });
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (text: string) => (received += text));
    const ended = new Promise((resolve) => socket.once('close', resolve));
    const post = (path: string, headers: string, body: string) =>
      `POST ${path} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${headers}\r\n${body}`;
    // A stream in flight keeps the connection busy, so closing cannot take it as idle.
    socket.write(post('/v1/chat/completions', `authorization: Bearer ${PROXY_KEY}\r\n`, JSON.stringify(chatBody({ stream: true }))));
    await vi.waitFor(() => expect(received).toContain('"a"'));

    const closing = closeGracefully(proxy.app, 5_000);
    // The next request on the same connection, an Anthropic client's, once the app drains.
    const messages = JSON.stringify({ model: 'claude-x', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] });
    socket.write(post('/v1/messages', `x-api-key: ${PROXY_KEY}\r\nanthropic-version: 2023-06-01\r\n`, messages));
    release.open();
    await ended;
    expect(await closing).toBe(true);

    // The stream finished whole; then the late request got its refusal and the connection closed. Anthropic's
    // dialect says "overloaded" with 529, which Claude Code and the Anthropic SDK retry.
    const late = received.slice(received.indexOf('[DONE]'));
    expect(late).toMatch(/\r\nHTTP\/1\.1 529 /);
    expect(late.toLowerCase()).toContain('\r\nconnection: close\r\n');
    const body = JSON.parse(late.slice(late.indexOf('\r\n\r\n', late.indexOf('HTTP/1.1')) + 4)) as unknown;
    expect(body).toEqual({ type: 'error', error: { type: 'overloaded_error', message: expect.stringContaining('shutting down') } });
    expect(upstream().requests).toHaveLength(1);
    const line = proxy.logs.records().find((record) => record.route === '/v1/messages');
    expect(line).toMatchObject({ status: 529, error_code: 'shutting_down' });
  });

  it('does not wait for connections that never sent a byte (a client pool\'s spare socket, a preconnect)', async () => {
    proxy = createTestProxy(upstream().baseUrl);
    const url = new URL(await proxy.listen());
    const sockets = await Promise.all(
      [0, 1].map(
        () =>
          new Promise<Socket>((resolve) => {
            const socket = connect(Number(url.port), url.hostname, () => resolve(socket));
            socket.on('error', () => undefined);
          }),
      ),
    );
    const ended = sockets.map((socket) => new Promise((resolve) => socket.once('close', resolve)));
    // Within a grace period far longer than the test's timeout: only closing those sockets lets it resolve.
    expect(await closeGracefully(proxy.app, 600_000)).toBe(true);
    await Promise.all(ended);
    expect(proxy.logs.text).not.toContain('grace period over');
  });

  it("closes them on the app's own close() too", async () => {
    proxy = createTestProxy(upstream().baseUrl);
    const url = new URL(await proxy.listen());
    const socket = await new Promise<Socket>((resolve) => {
      const opened = connect(Number(url.port), url.hostname, () => resolve(opened));
      opened.on('error', () => undefined);
    });
    const ended = new Promise((resolve) => socket.once('close', resolve));
    await proxy.close();
    await ended;
  });

  it('cuts what is still open when the grace period is over', async () => {
    upstream().onChat((_request, response) => streamEvents(response, [chunk('a'), NEVER]));
    proxy = createTestProxy(upstream().baseUrl);
    const url = await proxy.listen();
    const response = await postChat(url, chatBody({ stream: true }));
    await response.waitFor(chunk('a'));
    const started = Date.now();
    expect(await closeGracefully(proxy.app, 200)).toBe(false);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await response.text).not.toContain('[DONE]');
    await upstream().requests[0]!.closed;
    expect(upstream().requests[0]!.cancelled()).toBe(true);
    // Cut by the proxy's own shutdown, not by a client that left.
    const line = proxy.logs.records().find((record) => record.route === '/v1/chat/completions');
    expect(line).toMatchObject({ status: 503, error_code: 'shutting_down' });
  });
});
