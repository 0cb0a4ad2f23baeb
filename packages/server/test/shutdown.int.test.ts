import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { closeGracefully } from '../src/close-gracefully.js';
import { chunk, gate, NEVER, streamEvents, useFakeUpstream } from './support/fake-upstream.js';
import { chatBody, createTestProxy, type TestProxy } from './support/proxy.js';
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
