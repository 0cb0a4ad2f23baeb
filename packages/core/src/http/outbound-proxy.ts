import { urlWithoutCredentials } from '../errors/url-without-credentials.js';

/**
 * The HTTP proxy a connector reaches its upstream through (`CONNECT` tunnels, as undici's ProxyAgent makes them), as
 * the usual environment variables name it. Teams whose machines reach the internet only through a proxy set these
 * for every tool; a connector that ignored them could not reach NVIDIA's hosted API at all.
 */
export interface OutboundProxy {
  /** For `http://` upstreams, and for `https://` ones when `httpsProxy` is unset (as undici reads them). */
  httpProxy?: string | undefined;
  /** For `https://` upstreams. */
  httpsProxy?: string | undefined;
  /** Hosts reached directly: comma- or space-separated names (a name covers its subdomains), `host:port`, or `*`. */
  noProxy?: string | undefined;
}

/**
 * Reached directly whatever `NO_PROXY` says, as Go's HTTP client does: a proxy elsewhere cannot reach this machine's
 * loopback, so a self-hosted NIM or a mock on `127.0.0.1` would fail through it.
 */
const LOOPBACK = ['localhost', '127.0.0.1', '[::1]'];

/**
 * `HTTP_PROXY`, `HTTPS_PROXY` and `NO_PROXY` from `env` (lower case first, as curl and undici read them); undefined
 * when neither proxy variable is set, so nothing changes for a machine that has none.
 */
export function outboundProxyFromEnv(env: Readonly<Record<string, string | undefined>>): OutboundProxy | undefined {
  const read = (name: string) => (env[name] ?? env[name.toUpperCase()])?.trim() || undefined;
  const httpProxy = read('http_proxy');
  const httpsProxy = read('https_proxy');
  if (httpProxy === undefined && httpsProxy === undefined) return undefined;
  return { httpProxy, httpsProxy, noProxy: read('no_proxy') };
}

/** The `noProxy` list a dispatcher is given: the configured one and the loopback names (`*` stays alone: all). */
export function noProxyList(proxy: OutboundProxy): string {
  if (proxy.noProxy === '*') return '*';
  return [proxy.noProxy, ...LOOPBACK].filter(Boolean).join(',');
}

/**
 * The proxy URL a request to `target` goes through, or undefined when it goes directly: the rules of undici's
 * EnvHttpProxyAgent, which makes the connection, so the start-up line tells what the dispatcher will do.
 */
export function proxyFor(proxy: OutboundProxy | undefined, target: string): string | undefined {
  if (proxy === undefined) return undefined;
  const url = new URL(target);
  const chosen = url.protocol === 'https:' ? proxy.httpsProxy || proxy.httpProxy : proxy.httpProxy;
  if (!chosen) return undefined;
  // `host`, not `hostname`: an IPv6 address keeps its brackets, as NO_PROXY writes it.
  const host = url.host.replace(/:\d*$/, '').toLowerCase();
  const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
  for (const entry of noProxyList(proxy).split(/[,\s]/)) {
    if (entry === '*') return undefined;
    const parsed = /^(.+):(\d+)$/.exec(entry);
    const name = (parsed ? parsed[1]! : entry).replace(/^\*?\./, '').toLowerCase();
    if (name === '' || (parsed && Number(parsed[2]) !== port)) continue;
    if (host === name || host.endsWith(`.${name}`)) return undefined;
  }
  return chosen;
}

/** A proxy URL as it may be shown (a start-up line, a log): without the user and password it may carry. */
export function describeProxyUrl(url: string): string {
  return urlWithoutCredentials(url).replace(/\/$/, '');
}

/** The credentials in a proxy's URLs (`http://user:password@proxy:3128`): secrets, never to be shown. */
export function proxyCredentials(proxy: OutboundProxy | undefined): string[] {
  const found: string[] = [];
  for (const url of [proxy?.httpProxy, proxy?.httpsProxy]) {
    if (url === undefined) continue;
    try {
      const { password } = new URL(url);
      if (password) found.push(decodeURIComponent(password));
    } catch {
      // Not a URL: undici refuses it when the dispatcher is made, and says so without the text.
    }
  }
  return found;
}
