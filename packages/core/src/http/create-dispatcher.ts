import { Agent, EnvHttpProxyAgent, Pool, type Dispatcher } from 'undici';
import { noProxyList, type OutboundProxy } from './outbound-proxy.js';

export interface DispatcherSettings {
  /**
   * The one origin every request goes to (a connector's base URL): a `Pool` for it then, which skips the `Agent`'s
   * per-request lookup of the origin's pool. Without it, an `Agent` serves any origin.
   */
  origin?: string | undefined;
  /** HTTP/2 when the server offers it. Set explicitly: undici's default changes across majors. */
  allowH2: boolean;
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  /** Connections per origin; unlimited by default, since every in-flight completion (often a minutes-long stream) holds one. */
  connections?: number | undefined;
  /** How long an idle keep-alive connection is kept for reuse. */
  keepAliveTimeoutMs?: number | undefined;
  /** Reach the upstream through this HTTP proxy (see outboundProxyFromEnv); directly when unset. */
  proxy?: OutboundProxy | undefined;
}

/** A dispatcher owned by one connector: its own pool, never the process-wide global one. */
export function createDispatcher(settings: DispatcherSettings): Dispatcher {
  const options = {
    allowH2: settings.allowH2,
    ...(settings.connections === undefined ? {} : { connections: settings.connections }),
    pipelining: 1,
    // undici's default idle timeout (4 s, shortened by the server's Keep-Alive hint) avoids reusing a socket
    // the upstream is about to close; tests pass a few ms so no socket outlives them.
    ...(settings.keepAliveTimeoutMs === undefined ? {} : { keepAliveTimeout: settings.keepAliveTimeoutMs }),
    headersTimeout: settings.headersTimeoutMs,
    bodyTimeout: settings.bodyTimeoutMs,
    connect: { timeout: settings.connectTimeoutMs },
  };
  const proxy = settings.proxy;
  if (proxy !== undefined) {
    // Every value given, empty ones included: undici would otherwise read process.env, not the environment the
    // proxy was configured from.
    return new EnvHttpProxyAgent({ ...options, httpProxy: proxy.httpProxy ?? '', httpsProxy: proxy.httpsProxy ?? '', noProxy: noProxyList(proxy) });
  }
  return settings.origin === undefined ? new Agent(options) : new Pool(settings.origin, options);
}
