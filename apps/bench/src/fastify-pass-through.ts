import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { Pool } from 'undici';

/**
 * A diagnostic row for `cpu-per-request`: the baseline's work (parse, forward with an undici pool, send the answer
 * back) inside a bare Fastify app. Its distance from the baseline is what Fastify itself costs; its distance from
 * the proxy is what the proxy's own per-request work costs.
 */
export async function startFastifyPassThrough(upstreamOrigin: string): Promise<{ port: number }> {
  const pool = new Pool(upstreamOrigin, { pipelining: 1, allowH2: false });
  const app = Fastify({ logger: false });
  app.post('/v1/chat/completions', async (request, reply) => {
    const upstream = await pool.request({
      path: request.url,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request.body),
    });
    return reply.code(upstream.statusCode).header('content-type', String(upstream.headers['content-type'] ?? 'application/json')).send(upstream.body);
  });
  await app.listen({ port: 0, host: '127.0.0.1', backlog: 4096 });
  return { port: (app.server.address() as AddressInfo).port };
}
