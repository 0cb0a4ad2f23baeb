import {
  CORE_VERSION,
  createUpstreamHttpError,
  OpenAICompatibleConnector,
  ProxyError,
  type ChatCompletionRequest,
  type KeyLimiter,
  type OpenAICompatibleSettings,
  type UpstreamHttpErrorInput,
  type UpstreamOperation,
} from '@proxy/core';
import { NVIDIA_API_KEY_ENV, NVIDIA_API_KEYS_ENV, NVIDIA_DEFAULT_BASE_URL } from './constants.js';
import { explainNimError } from './explain-nim-error.js';
import { resolveNimTimeouts } from './nim-timeouts.js';
import { resolveApiKeys } from './resolve-api-key.js';
import { toNimRequestBody } from './to-nim-request-body.js';
import { NVIDIA_VERSION } from './version.js';

export interface NvidiaConnectorSettings {
  /** The backend's name, which clients use as the model prefix (`nvidia:meta/llama3-70b`). Default `nvidia`. */
  name?: string | undefined;
  /** Default the hosted integrator, `https://integrate.api.nvidia.com/v1`; a self-hosted NIM's base URL otherwise. */
  baseURL?: string | undefined;
  /** Wins over `NVIDIA_API_KEY`; empty or whitespace-only counts as absent. A `Bearer ` prefix is stripped. */
  apiKey?: string | undefined;
  /** A key pool; `apiKey` joins it. Configured keys win over the environment's as a whole (see resolveApiKeys). */
  apiKeys?: readonly string[] | undefined;
  /** Paces the pool and chooses each request's key (the server's; see KeyLimiter). Default: keys in turn. */
  keyLimiter?: KeyLimiter | undefined;
  /** Where `NVIDIA_API_KEY` and `NVIDIA_API_KEYS` are read from. Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>> | undefined;
  /** A static catalog; without one the catalog is `GET /models`, read on initialize. */
  models?: readonly string[] | undefined;
  /** Bound on the wait for response headers and on every gap between body chunks; never below 300 s. Default 120 s. */
  timeoutMs?: number | undefined;
  /** Bound on establishing a connection. Default 30 s. */
  connectTimeoutMs?: number | undefined;
  /** Probe `GET /models` once before the first completion. Default true. */
  healthCheck?: boolean | undefined;
  /** Extra headers sent to NVIDIA with every request. */
  headers?: Readonly<Record<string, string>> | undefined;
  /** An undici dispatcher to use instead of the connector's own HTTP/1.1 pool (tests pass a MockAgent). */
  dispatcher?: OpenAICompatibleSettings['dispatcher'];
  /** The largest JSON answer read from NIM, in bytes (a larger one is a 502). */
  bodyLimitBytes?: number | undefined;
  /** Connections per origin of the connector's own pool. */
  connections?: number | undefined;
  /** Idle keep-alive lifetime of the connector's own sockets. */
  keepAliveTimeoutMs?: number | undefined;
  /** The floor under `timeoutMs`. For tests only: configuration never reaches it, so production keeps 300 s. */
  minSilenceTimeoutMs?: number | undefined;
}

/** NVIDIA NIM (hosted or self-hosted): the OpenAI-compatible base with NIM's request, transport and error rules. */
export class NvidiaConnector extends OpenAICompatibleConnector {
  constructor(settings: NvidiaConnectorSettings = {}) {
    const timeouts = resolveNimTimeouts(settings);
    super({
      name: settings.name ?? 'nvidia',
      type: 'nvidia',
      baseURL: settings.baseURL || NVIDIA_DEFAULT_BASE_URL,
      apiKeys: resolveNvidiaKeys(settings),
      keyLimiter: settings.keyLimiter,
      headers: settings.headers,
      models: settings.models,
      dispatcher: settings.dispatcher,
      bodyLimitBytes: settings.bodyLimitBytes,
      // The integrator closes HTTP/2 streams abruptly on long requests; HTTP/1.1 carries the same payloads.
      allowH2: false,
      connections: settings.connections,
      keepAliveTimeoutMs: settings.keepAliveTimeoutMs,
      connectTimeoutMs: timeouts.connectMs,
      headersTimeoutMs: timeouts.silenceMs,
      bodyTimeoutMs: timeouts.silenceMs,
      healthCheckOnFirstUse: settings.healthCheck ?? true,
      requireApiKey: true,
      userAgent: `nim-proxy/${CORE_VERSION} proxy-nvidia/${NVIDIA_VERSION}`,
    });
  }

  protected override transformRequestBody(body: Record<string, unknown>, operation: UpstreamOperation): Record<string, unknown> {
    return operation === 'chat' ? toNimRequestBody(body as ChatCompletionRequest) : body;
  }

  protected override createUpstreamError(input: UpstreamHttpErrorInput): ProxyError {
    return createUpstreamHttpError({ ...input, explanation: explainNimError(input) });
  }

  protected override createMissingApiKeyError(): ProxyError {
    return new ProxyError({
      status: 503,
      code: 'upstream_api_key_missing',
      isRetryable: false,
      message:
        `The ${this.name} backend has no NVIDIA API key, so the proxy cannot call NVIDIA. Set ${NVIDIA_API_KEY_ENV} ` +
        `in the proxy's environment (or backends.${this.name}.api_key in its configuration) and restart the proxy.`,
    });
  }
}

/** The connector's key pool: configured keys over `NVIDIA_API_KEY`/`NVIDIA_API_KEYS`, each `Bearer`-stripped. */
export function resolveNvidiaKeys(settings: Pick<NvidiaConnectorSettings, 'apiKey' | 'apiKeys' | 'env'>): string[] {
  const env = settings.env ?? process.env;
  return resolveApiKeys({ apiKey: settings.apiKey, apiKeys: settings.apiKeys }, { apiKey: env[NVIDIA_API_KEY_ENV], apiKeys: env[NVIDIA_API_KEYS_ENV] });
}

/** A connector for NVIDIA NIM; `createNvidiaConnector()` reads the key from `NVIDIA_API_KEY`. */
export function createNvidiaConnector(settings: NvidiaConnectorSettings = {}): NvidiaConnector {
  return new NvidiaConnector(settings);
}
