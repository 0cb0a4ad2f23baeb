import {
  CORE_VERSION,
  createUpstreamHttpError,
  OpenAICompatibleConnector,
  outboundProxyFromEnv,
  ProxyError,
  type CallOptions,
  type ChatCompletionRequest,
  type ChatCompletionResult,
  type ChatCompletionStream,
  type EmbeddingsRequest,
  type EmbeddingsResult,
  type KeyLimiter,
  type OpenAICompatibleSettings,
  type OutboundProxy,
  type UpstreamHttpErrorInput,
  type UpstreamOperation,
} from '@proxy/core';
import { NVIDIA_API_KEY_ENV, NVIDIA_API_KEYS_ENV, NVIDIA_DEFAULT_BASE_URL, NVIDIA_DEFAULT_MAX_TOKENS } from './constants.js';
import { explainNimError } from './explain-nim-error.js';
import { embeddingsFixFor, toNimEmbeddingsBody } from './nim-embeddings.js';
import { resolveNimTimeouts } from './nim-timeouts.js';
import { readRejectedFields } from './read-rejected-fields.js';
import { readTokenLimit, type TokenLimit } from './read-token-limit.js';
import { RejectedFields } from './rejected-fields.js';
import { resolveApiKeys } from './resolve-api-key.js';
import { TokenCaps } from './token-caps.js';
import { toNimRequestBody, type NimBodyOptions } from './to-nim-request-body.js';
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
  /** Where `NVIDIA_API_KEY` and `NVIDIA_API_KEYS` (and `HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`) are read from. Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>> | undefined;
  /** The HTTP proxy NVIDIA is reached through. Default: the one `env` names (see outboundProxyFromEnv), if any. */
  proxy?: OutboundProxy | undefined;
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
  /** `max_tokens` for a chat request that names no limit; 0 sends none. Default NVIDIA_DEFAULT_MAX_TOKENS. */
  defaultMaxTokens?: number | undefined;
}

/** Never dropped to please NIM: without them the request is not the one the client made. */
const ESSENTIAL_FIELDS = new Set(['model', 'messages', 'stream', 'tools']);

/**
 * Refusals of one embeddings request fixed before the client gets NIM's answer: one of each kind NIM names (its
 * schema's forbidden fields, all in one answer, then a missing input_type).
 */
const MAX_EMBEDDINGS_FIXES = 2;

/** NVIDIA NIM (hosted or self-hosted): the OpenAI-compatible base with NIM's request, transport and error rules. */
export class NvidiaConnector extends OpenAICompatibleConnector {
  readonly #rejected = new RejectedFields();
  readonly #caps = new TokenCaps();
  readonly #defaultMaxTokens: number;
  /** Embedding models NIM refused a request without `input_type` for: asymmetric retrieval models. */
  readonly #needsInputType = new Set<string>();

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
      proxy: settings.proxy ?? outboundProxyFromEnv(settings.env ?? process.env),
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
      // NVIDIA's id for each call, which its support asks for.
      requestIdHeader: 'nvcf-reqid',
    });
    this.#defaultMaxTokens = settings.defaultMaxTokens ?? NVIDIA_DEFAULT_MAX_TOKENS;
  }

  override chatCompletion(request: ChatCompletionRequest, options?: CallOptions): Promise<ChatCompletionResult> {
    return this.#adapting(request, options, (body) => super.chatCompletion(body, options));
  }

  override streamChatCompletion(request: ChatCompletionRequest, options?: CallOptions): Promise<ChatCompletionStream> {
    return this.#adapting(request, options, (body) => super.streamChatCompletion(body, options));
  }

  /**
   * Embeds with NIM's rules: a field its schema refuses is dropped for the model (retried, one warning) — except
   * `dimensions`, whose refusal the client hears of, since its vectors would come in another size — and an
   * asymmetric retrieval model that refuses a request without `input_type` gets `"query"` from then on (one
   * warning): OpenAI's clients know no such field, and a query is what a request without one most often embeds.
   * NIM names one kind of fault per answer (its schema's, before `input_type`), so a request can need a fix of each:
   * each refusal is fixed in turn, up to MAX_EMBEDDINGS_FIXES, before the client hears of it.
   */
  override async createEmbeddings(request: EmbeddingsRequest, options?: CallOptions): Promise<EmbeddingsResult> {
    let fields = this.#rejected.for(request.model);
    let needsInputType = this.#needsInputType.has(request.model);
    for (let fixes = 0; ; fixes++) {
      const body = toNimEmbeddingsBody(request, fields, needsInputType);
      try {
        // Answered as the client asked even when NIM refused encoding_format and the body goes without it.
        return await this.postEmbeddings(body, request.encoding_format, options);
      } catch (error) {
        // Each fix changes the body (a field it carried goes, or input_type comes), so none repeats; the cap bounds
        // the calls an upstream that names one field per answer could cost a client's request.
        const fix = fixes < MAX_EMBEDDINGS_FIXES ? embeddingsFixFor(error, body) : undefined;
        if (fix === undefined) throw error;
        if (fix.kind === 'refuse') throw fix.error;
        const model = this.getAvailableModels().includes(request.model) ? request.model : undefined;
        if (fix.kind === 'drop') {
          for (const field of fix.fields) {
            if (this.#rejected.learn(request.model, field)) {
              options?.log?.warn({ backend: this.name, model, field }, 'NVIDIA NIM rejected a request field: it is no longer sent to this model');
            }
          }
          fields = new Set([...(fields ?? []), ...fix.fields]);
        } else {
          needsInputType = true;
          if (this.#needsInputType.size < 1024 && !this.#needsInputType.has(request.model)) {
            this.#needsInputType.add(request.model);
            options?.log?.warn({ backend: this.name, model }, 'NVIDIA NIM needs input_type for this embedding model: requests without one are sent as "query"');
          }
        }
      }
    }
  }

  /**
   * Sends NIM the body its schema takes, and adapts when the schema moved. Nothing reached the client yet, so a
   * retry is invisible to it:
   * - a 422 (or 400) `extra_forbidden` naming top-level fields the body carried is retried once without them (and
   *   without the fields sent together with them, FIELDS_SENT_TOGETHER), and they are dropped for that model for
   *   the process's life (one warning each);
   * - a `max_tokens` NIM refuses is retried once with the most it takes: a cap of the model's schema is remembered
   *   for the model (one warning), what vLLM's context window leaves for this prompt holds for this request only;
   * - an answer that names both (pydantic lists every fault of the body) is fixed for both in the one retry.
   */
  #adapting<T>(request: ChatCompletionRequest, options: CallOptions | undefined, call: (body: ChatCompletionRequest) => Promise<T>): Promise<T> {
    try {
      const known = this.#rejected.for(request.model);
      const body = this.#nimBody(request, known, options);
      // Chained, not awaited: nearly every call succeeds, and then no frame waits around it.
      return call(body).catch((error: unknown) => this.#adapt(error, request, body, known, options, call));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Runs on the call's rejection: what it throws rejects the call. */
  #adapt<T>(
    error: unknown,
    request: ChatCompletionRequest,
    body: ChatCompletionRequest,
    known: ReadonlySet<string> | undefined,
    options: CallOptions | undefined,
    call: (body: ChatCompletionRequest) => Promise<T>,
  ): Promise<T> {
    // The model only when the catalog knows it: a client's made-up model text stays out of the log.
    const model = () => (this.getAvailableModels().includes(request.model) ? request.model : undefined);
    // pydantic lists every fault of the body in one answer: a refused field and a max_tokens over the cap are both
    // fixed in the one retry.
    const fields = rejectedFieldsOf(error, body);
    const limit = tokenLimitOf(error, body);
    if (fields.length === 0 && limit === undefined) throw error;
    for (const field of fields) {
      if (this.#rejected.learn(request.model, field)) {
        options?.log?.warn({ backend: this.name, model: model(), field }, 'NVIDIA NIM rejected a request field: it is no longer sent to this model');
      }
    }
    const retry = fields.length > 0 ? this.#nimBody(request, new Set([...(known ?? []), ...fields]), options) : body;
    if (limit === undefined) return call(retry);
    if (!limit.fixed) {
      options?.log?.debug({ backend: this.name, max_tokens: limit.maxTokens }, "NVIDIA NIM's context window leaves less than max_tokens for this prompt: retried with what it leaves");
    } else if (this.#caps.learn(request.model, limit.maxTokens)) {
      options?.log?.warn({ backend: this.name, model: model(), max_tokens: limit.maxTokens }, 'NVIDIA NIM caps max_tokens for this model: larger requests are sent with the cap');
    }
    return call({ ...retry, max_tokens: limit.maxTokens });
  }

  #nimBody(request: ChatCompletionRequest, rejected: ReadonlySet<string> | undefined, options: CallOptions | undefined): ChatCompletionRequest {
    const log = options?.log;
    const nim = this.#bodyOptions(request.model, rejected);
    if (log) nim.onDropped = (fields) => log.debug({ backend: this.name, fields }, 'fields NVIDIA NIM does not take were not sent');
    return toNimRequestBody(request, nim) as ChatCompletionRequest;
  }

  protected override transformRequestBody(body: Record<string, unknown>, operation: UpstreamOperation): Record<string, unknown> {
    // Chat bodies were rewritten by #adapting already; toNimRequestBody returns such a body as it is.
    return operation === 'chat' ? toNimRequestBody(body as ChatCompletionRequest, this.#bodyOptions(body.model, this.#rejected.for(body.model))) : body;
  }

  /** What toNimRequestBody is told for a chat body to `model`: one place for both ways a body is rewritten. */
  #bodyOptions(model: unknown, rejected: ReadonlySet<string> | undefined): NimBodyOptions {
    return { rejected, maxTokensCap: this.#caps.for(model), defaultMaxTokens: this.#defaultMaxTokens };
  }

  protected override createUpstreamError(input: UpstreamHttpErrorInput): ProxyError {
    return createUpstreamHttpError({ ...input, explanation: explainNimError(input) });
  }

  protected override createMissingApiKeyError(): ProxyError {
    return super.createMissingApiKeyError(
      `The ${this.name} backend has no NVIDIA API key, so the proxy cannot call NVIDIA. Set ${NVIDIA_API_KEY_ENV} ` +
        `in the proxy's environment (or backends.${this.name}.api_key in its configuration) and restart the proxy.`,
    );
  }
}

/**
 * Fields that work only together, so a refusal of one drops all: vLLM's chat-template controls for a prefill
 * (`continue_final_message: true` beside `add_generation_prompt: false`). Sent alone, the first conflicts with the
 * generation prompt vLLM adds by default, and the second ends the prompt on a closed assistant turn. NIM may name
 * one refused field per answer, and the connector retries once: dropping the pair in that retry is what lets it
 * succeed.
 */
const FIELDS_SENT_TOGETHER: readonly (readonly string[])[] = [['continue_final_message', 'add_generation_prompt']];

/**
 * The top-level fields a rejection names that `body` carried and may go without, with the fields sent together with
 * them; none for any other error.
 */
function rejectedFieldsOf(error: unknown, body: ChatCompletionRequest): string[] {
  if (!ProxyError.isInstance(error) || (error.upstreamStatus !== 422 && error.upstreamStatus !== 400) || !error.responseBody) return [];
  const fields = readRejectedFields(error.responseBody).filter((field) => !ESSENTIAL_FIELDS.has(field) && body[field] !== undefined);
  for (const group of FIELDS_SENT_TOGETHER) {
    if (group.some((field) => fields.includes(field))) for (const field of group) if (!fields.includes(field)) fields.push(field);
  }
  return fields;
}

/** The most `max_tokens` NIM says it takes for this body, when that is less than it asked for; else undefined. */
function tokenLimitOf(error: unknown, body: ChatCompletionRequest): TokenLimit | undefined {
  if (!ProxyError.isInstance(error) || (error.upstreamStatus !== 422 && error.upstreamStatus !== 400) || !error.responseBody) return undefined;
  const asked = body.max_tokens;
  if (typeof asked !== 'number') return undefined;
  const limit = readTokenLimit(error.responseBody);
  // Nothing left for an answer: the prompt alone fills the window, and no max_tokens can help.
  return limit !== undefined && limit.maxTokens >= 1 && limit.maxTokens < asked ? limit : undefined;
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
