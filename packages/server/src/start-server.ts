import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { backendSetOf } from './backends/backend-set.js';
import { buildServer, type BuildServerOptions } from './build-server.js';
import { closeGracefully } from './close-gracefully.js';
import type { ProxyConfigInput } from './config/config-schema.js';
import type { ConfigFile } from './config/load-config.js';
import { isResolvedConfig, resolveConfig, type ResolvedProxyConfig } from './config/resolve-config.js';
import { logStartup } from './startup-summary.js';

export interface RunningServer {
  app: FastifyInstance;
  config: ResolvedProxyConfig;
  /** `http://host:port`, with the port actually bound (useful with port 0). */
  url: string;
  /** Graceful shutdown with the configured grace period (see closeGracefully). */
  close(): Promise<boolean>;
}

/**
 * Length of the queue of accepted-but-not-yet-handled connections. Node's default, 511, overflows when a burst of
 * clients connects at once (the bench's 2,000 streams): the kernel then drops SYNs, clients resend them after 1 s,
 * 3 s, 7 s…, and a client with a 10 s connect timeout (undici's default) fails. The kernel caps it at somaxconn.
 */
export const LISTEN_BACKLOG = 4096;

export interface StartServerOptions extends BuildServerOptions {
  /** The YAML file the configuration came from, for the start-up line (the CLI passes what loadConfig read). */
  configFile?: ConfigFile | undefined;
}

/**
 * Builds the proxy, listens on the configured host and port, and logs one line saying what it started with
 * (see logStartup), after the backends' catalogs were read.
 */
export async function startServer(input: ProxyConfigInput | ResolvedProxyConfig = {}, options: StartServerOptions = {}): Promise<RunningServer> {
  const config = isResolvedConfig(input) ? input : resolveConfig(input);
  const app = buildServer(config, options);
  try {
    await app.listen({ host: config.host, port: config.port, backlog: LISTEN_BACKLOG });
  } catch (error) {
    await app.close();
    throw error;
  }
  const { port } = app.server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;
  logStartup(app.log, { config, url, configFile: options.configFile, backends: backendSetOf.get(app)?.summary() ?? [] });
  return {
    app,
    config,
    url,
    close: () => closeGracefully(app, config.shutdown_grace_period * 1000),
  };
}
