import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { timingSafeEqual } from 'node:crypto';
import { createDispatcher, dispatchUpstream, parseChatCompletionRequest } from '@proxy/core';
import Fastify, { LogController } from 'fastify';
import { Counter, Histogram, Registry } from 'prom-client';
import { BENCH_PROXY_KEY } from './bench-key.js';

const UPSTREAM_HEADERS = ['content-type', 'application/json'];

/**
 * A diagnostic row: the least any proxy built on this project's chosen stack pays per request. A Fastify app that
 * does only what every request of the proxy must do through the chosen libraries — the key checked, the body
 * checked by core's request check (its zod schema), one pino line through Fastify's request logger, one
 * prom-client counter and histogram — and relays through the proxy's own transport (undici's
 * dispatch, each read written as it comes), the cheapest in this repository; nothing else of the proxy's (no
 * routing, retries, timers, SSE reading, scrubbing or encoders). A real proxy does strictly more, so where this
 * row is under a target, no proxy built on that stack can meet it, whatever its own code does.
 */
export async function startFastifyLibraryFloor(upstreamOrigin: string): Promise<{ port: number }> {
  const dispatcher = createDispatcher({ origin: upstreamOrigin, allowH2: false, connectTimeoutMs: 10_000, headersTimeoutMs: 300_000, bodyTimeoutMs: 300_000 });
  const registry = new Registry();
  const requests = new Counter({ name: 'requests_total', help: 'requests', labelNames: ['route', 'method', 'status'], registers: [registry] });
  const latency = new Histogram({ name: 'request_seconds', help: 'latency', labelNames: ['route'], registers: [registry] });
  const key = Buffer.from(BENCH_PROXY_KEY);
  const presented = Buffer.alloc(key.length);
  // Lines are discarded after pino has made them, as the bench discards the proxy's stdout.
  const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
  const app = Fastify({ logger: { level: 'info', stream: sink }, logController: new LogController({ disableRequestLogging: true }) });
  app.addHook('onRequest', (request, reply, done) => {
    const header = request.headers.authorization ?? '';
    const given = header.startsWith('Bearer ') ? header.slice(7) : '';
    presented.fill(0);
    presented.write(given);
    if (Buffer.byteLength(given) !== key.length || !timingSafeEqual(presented, key)) {
      void reply.code(401).send({ error: { message: 'bad key' } });
      return;
    }
    done();
  });
  app.post('/v1/chat/completions', async (request, reply) => {
    const body = parseChatCompletionRequest(request.body);
    // The proxy's own transport and relay, the cheapest in this repository: undici's dispatch, each read written
    // to the client as it comes.
    const upstream = await dispatchUpstream(dispatcher, {
      origin: upstreamOrigin,
      path: request.url,
      method: 'POST',
      headers: UPSTREAM_HEADERS,
      body: JSON.stringify(body),
      headersTimeout: 300_000,
      bodyTimeout: 300_000,
    });
    reply.hijack();
    const response = reply.raw;
    response.writeHead(upstream.statusCode, { 'content-type': String(upstream.headers['content-type'] ?? 'application/json') });
    await new Promise<void>((resolve, reject) => {
      upstream.consume({
        data: (chunk) => response.write(chunk),
        end: () => response.end(resolve),
        error: reject,
      });
    });
    const route = request.routeOptions.url ?? 'unmatched';
    const latencyMs = reply.elapsedTime;
    requests.inc({ route, method: request.method, status: upstream.statusCode });
    latency.observe({ route }, latencyMs / 1000);
    request.log.info({ method: request.method, route, status: upstream.statusCode, latency_ms: Math.round(latencyMs * 10) / 10 }, 'request completed');
  });
  await app.listen({ port: 0, host: '127.0.0.1', backlog: 4096 });
  return { port: (app.server.address() as AddressInfo).port };
}
