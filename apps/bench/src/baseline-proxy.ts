import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';

/**
 * The floor any Node proxy can reach: parse the JSON body, forward it with an undici pool, pipe the answer back.
 * No auth, no validation, no keep-alives, no accounting.
 */
export async function startBaselineProxy(upstreamOrigin: string, port = 0): Promise<{ server: Server; port: number }> {
  const pool = new Pool(upstreamOrigin, { connections: 128, pipelining: 1, allowH2: false });
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
        const upstream = await pool.request({ path: req.url ?? '/', method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
        res.writeHead(upstream.statusCode, { 'content-type': String(upstream.headers['content-type'] ?? 'application/json') });
        for await (const chunk of upstream.body) res.write(chunk);
        res.end();
      } catch {
        res.writeHead(502).end();
      }
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen({ port, host: '127.0.0.1', backlog: 4096 }, resolve));
  return { server, port: (server.address() as AddressInfo).port };
}
