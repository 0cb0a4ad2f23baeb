import type { Dispatcher } from 'undici';
import type { OutboundProxy } from '../http/outbound-proxy.js';
import type { KeyLimiter } from '../limits/key-limiter.js';

export interface OpenAICompatibleSettings {
  /** Backend name, used as the `backend:` prefix and in messages. */
  name: string;
  /** Backend type; `openai` unless a subclass says otherwise. */
  type?: string | undefined;
  /** OpenAI-compatible base URL, e.g. `https://api.example.com/v1`; with or without trailing slash. */
  baseURL: string;
  apiKey?: string | undefined;
  /**
   * A key pool: each upstream attempt sends the key the limiter chooses. Wins over `apiKey` (a pool of one);
   * empty entries are dropped.
   */
  apiKeys?: readonly string[] | undefined;
  /** Chooses each attempt's key and paces the pool (see KeyLimiter). Default: keys in turn, nothing paced. */
  keyLimiter?: KeyLimiter | undefined;
  /** Extra headers sent upstream with every request. */
  headers?: Readonly<Record<string, string>> | undefined;
  /** A static catalog: when given, it is the model list and `GET /models` is not called on initialize. */
  models?: readonly string[] | undefined;
  /** Use this dispatcher instead of creating one (tests pass a MockAgent or a pool of their own). */
  dispatcher?: Dispatcher | undefined;
  /** The HTTP proxy the connector's own dispatcher reaches the upstream through (outboundProxyFromEnv reads it). */
  proxy?: OutboundProxy | undefined;
  /** HTTP/2 for the connector's own dispatcher. Default false. */
  allowH2?: boolean | undefined;
  /** Connections per origin for the connector's own dispatcher. Default unlimited: each in-flight completion holds one. */
  connections?: number | undefined;
  /** Idle keep-alive lifetime of the connector's own sockets. */
  keepAliveTimeoutMs?: number | undefined;
  /** The largest JSON answer read from the upstream (a larger one is a 502); default DEFAULT_UPSTREAM_BODY_LIMIT. */
  bodyLimitBytes?: number | undefined;
  /** Bound on establishing a connection. Default 30 s. */
  connectTimeoutMs?: number | undefined;
  /** Bound on waiting for the response headers. Default 120 s. */
  headersTimeoutMs?: number | undefined;
  /** Bound on every gap between body chunks. Default 120 s. */
  bodyTimeoutMs?: number | undefined;
  /** Probe `GET /models` once before the first completion. Default false. */
  healthCheckOnFirstUse?: boolean | undefined;
  /** Answer chat requests with a clear error when no key is configured, instead of calling upstream. Default true. */
  requireApiKey?: boolean | undefined;
  /** User agent sent upstream. */
  userAgent?: string | undefined;
  /**
   * The response header in which the upstream names each call (NVIDIA: `nvcf-reqid`), read into the call's
   * `trace` so the client and the log line can quote it to the provider's support. Default none.
   */
  requestIdHeader?: string | undefined;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;
export const DEFAULT_TIMEOUT_MS = 120_000;
/** 64 MiB: far above any completion or model list, far below what would hurt the process. */
export const DEFAULT_UPSTREAM_BODY_LIMIT = 64 * 1024 * 1024;
