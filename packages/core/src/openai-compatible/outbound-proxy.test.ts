import { createServer, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { sendJson, sendSse, startRecordingUpstream, type RecordingUpstream } from '@proxy/testkit/recording-upstream';
import { afterEach, describe, expect, it } from 'vitest';
import type { Connector } from '../connector.js';
import { openaiBackend } from './openai-backend.js';

/**
 * A forward proxy as corporate networks run them: it answers CONNECT by opening a tunnel, and records each target.
 * Every target is reached at the test's upstream on 127.0.0.1, so a made-up host name stands for a remote NIM that
 * only the proxy can resolve.
 */
async function startConnectProxy(upstreamPort: number): Promise<{ url: string; targets: string[]; close(): Promise<void> }> {
  const targets: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((_request, response) => response.writeHead(405).end());
  server.on('connect', (request, client: Socket, head: Buffer) => {
    targets.push(request.url ?? '');
    sockets.add(client);
    const tunnel = connect(upstreamPort, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      tunnel.write(head);
      tunnel.pipe(client);
      client.pipe(tunnel);
    });
    sockets.add(tunnel);
    const end = () => {
      client.destroy();
      tunnel.destroy();
    };
    tunnel.on('error', end);
    client.on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    targets,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const completion = { id: 'c1', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'through the proxy' }, finish_reason: 'stop' }] };
const chunk = (delta: object, finish: string | null) => ({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] });

let upstream: RecordingUpstream | undefined;
let proxy: Awaited<ReturnType<typeof startConnectProxy>> | undefined;
let connector: Connector | undefined;
afterEach(async () => {
  await connector?.close();
  await proxy?.close();
  await upstream?.close();
  connector = proxy = upstream = undefined;
});

describe('an upstream reached through HTTP_PROXY / HTTPS_PROXY', () => {
  it('tunnels JSON and streamed completions through the proxy the environment names, and the catalog read', async () => {
    upstream = await startRecordingUpstream((request, response) => {
      if (request.url === '/v1/models') return sendJson(response, 200, { object: 'list', data: [{ id: 'm' }] });
      if ((JSON.parse(request.body) as { stream?: boolean }).stream) return sendSse(response, [chunk({ role: 'assistant', content: 'streamed' }, null), chunk({}, 'stop')]);
      return sendJson(response, 200, completion);
    });
    const port = new URL(upstream.url).port;
    proxy = await startConnectProxy(Number(port));
    connector = openaiBackend.create(
      { name: 'remote', type: 'openai', api_url: `http://nim.example:${port}/v1`, api_key: 'k' },
      { env: { HTTP_PROXY: proxy.url } },
    );
    await connector.initialize();
    expect(connector.getAvailableModels()).toEqual(['m']);
    const answer = await connector.chatCompletion({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
    expect(answer.rawBody).toContain('through the proxy');
    const stream = await connector.streamChatCompletion({ model: 'm', messages: [{ role: 'user', content: 'hi' }], stream: true });
    let text = '';
    for await (const read of stream) for (const event of read.events) text += (event.json as { choices?: { delta?: { content?: string } }[] }).choices?.[0]?.delta?.content ?? '';
    expect(text).toBe('streamed');
    // Every connection went through the tunnel, to the host the proxy resolves; the upstream saw the three calls.
    expect(proxy.targets.length).toBeGreaterThanOrEqual(1);
    expect(new Set(proxy.targets)).toEqual(new Set([`nim.example:${port}`]));
    expect(upstream.requests.map((request) => request.url)).toEqual(['/v1/models', '/v1/chat/completions', '/v1/chat/completions']);
    expect((connector as { upstreamProxy?: string }).upstreamProxy).toBe(proxy.url);
  });

  it('reaches a loopback upstream directly, and leaves a machine without proxy variables as it was', async () => {
    upstream = await startRecordingUpstream((_request, response) => sendJson(response, 200, completion));
    proxy = await startConnectProxy(Number(new URL(upstream.url).port));
    connector = openaiBackend.create({ name: 'local', type: 'openai', api_url: upstream.url, api_key: 'k', models: ['m'] }, { env: { HTTP_PROXY: proxy.url } });
    await connector.chatCompletion({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
    expect(proxy.targets).toEqual([]);
    expect((connector as { upstreamProxy?: string }).upstreamProxy).toBeUndefined();
    expect(upstream.requests).toHaveLength(1);
  });
});
