import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { Agent } from 'undici';
import { buildServer, type BuildServerOptions } from '../../src/build-server.js';
import type { ProxyConfigInput } from '../../src/config/config-schema.js';

export const PROXY_KEY = 'proxy-key-0123456789';
export const UPSTREAM_KEY = 'upstream-secret-abcdef';

/** Collects JSON log lines. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];

  override _write(chunk: Buffer, _encoding: string, callback: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    callback();
  }

  get text(): string {
    return this.lines.join('\n');
  }

  records(): Record<string, unknown>[] {
    return this.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  }
}

export interface TestProxy {
  app: FastifyInstance;
  logs: LogCapture;
  /** Set after listen(). */
  url: string;
  listen(): Promise<string>;
  close(): Promise<void>;
}

/** The proxy with one `openai` backend named `up` (the default) pointing at `upstreamUrl`. */
export function createTestProxy(upstreamUrl: string, config: ProxyConfigInput = {}, options: BuildServerOptions = {}): TestProxy {
  const logs = new LogCapture();
  // Short idle lifetime: no socket outlives the test.
  const dispatcher = new Agent({ keepAliveTimeout: 10, keepAliveMaxTimeout: 10 });
  const app = buildServer(
    {
      auth: { api_keys: [PROXY_KEY] },
      backends: { up: { type: 'openai', api_url: upstreamUrl, api_key: UPSTREAM_KEY } },
      ...config,
    },
    { env: {}, dispatcher, logDestination: logs, ...options },
  );
  let closed = false;
  const proxy: TestProxy = {
    app,
    logs,
    url: '',
    async listen() {
      proxy.url = await app.listen({ host: '127.0.0.1', port: 0 });
      return proxy.url;
    },
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
      await dispatcher.close();
    },
  };
  return proxy;
}

export const authHeaders = { authorization: `Bearer ${PROXY_KEY}` };

export const chatBody = (extra: Record<string, unknown> = {}) => ({
  model: 'up:meta/llama3-70b',
  messages: [{ role: 'user', content: 'hi' }],
  ...extra,
});
