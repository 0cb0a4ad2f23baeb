import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildServer, type BuildServerOptions } from './build-server.js';
import { closeGracefully } from './close-gracefully.js';
import type { ProxyConfigInput } from './config/config-schema.js';
import { isResolvedConfig, resolveConfig, type ResolvedProxyConfig } from './config/resolve-config.js';

export interface RunningServer {
  app: FastifyInstance;
  config: ResolvedProxyConfig;
  /** `http://host:port`, with the port actually bound (useful with port 0). */
  url: string;
  /** Graceful shutdown with the configured grace period (see closeGracefully). */
  close(): Promise<boolean>;
}

/** Builds the proxy and listens on the configured host and port. */
export async function startServer(input: ProxyConfigInput | ResolvedProxyConfig = {}, options: BuildServerOptions = {}): Promise<RunningServer> {
  const config = isResolvedConfig(input) ? input : resolveConfig(input);
  const app = buildServer(config, options);
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await app.close();
    throw error;
  }
  const { port } = app.server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return {
    app,
    config,
    url: `http://${host}:${port}`,
    close: () => closeGracefully(app, config.shutdown_grace_period * 1000),
  };
}
