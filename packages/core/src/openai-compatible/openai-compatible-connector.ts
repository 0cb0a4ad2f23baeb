import type { Dispatcher } from 'undici';
import type { CallOptions, ChatCompletionResult, ChatCompletionStream, Connector, EmbeddingsResult } from '../connector.js';
import { mapTransportError } from '../errors/map-transport-error.js';
import { ProxyError } from '../errors/proxy-error.js';
import { createUpstreamHttpError, type UpstreamHttpErrorInput } from '../errors/upstream-http-error.js';
import { createDispatcher } from '../http/create-dispatcher.js';
import { describeProxyUrl, proxyFor } from '../http/outbound-proxy.js';
import { dispatchUpstream, type UpstreamResponse } from '../http/upstream-response.js';
import { joinUrl } from '../http/join-url.js';
import { chatCompletionSchema, isWellFormedChatCompletion, type ChatCompletion } from '../schemas/chat-response.js';
import type { ChatCompletionRequest } from '../schemas/chat-request.js';
import { base64EmbeddingsText, isEmbeddingsList, type EmbeddingsRequest } from '../schemas/embeddings-request.js';
import { modelListSchema, type ModelList } from '../schemas/model-list.js';
import { extractUsage } from '../usage/token-usage.js';
import type { KeyLimiter } from '../limits/key-limiter.js';
import { KeyRefusals, MODEL_REFUSAL_MS } from '../limits/key-refusals.js';
import { parseRetryAfter } from '../limits/parse-retry-after.js';
import { SecretScrubber } from '../secrets/secret-scrubber.js';
import { UnpacedKeyLimiter } from '../limits/unpaced-key-limiter.js';
import { CORE_VERSION } from '../version.js';
import { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_TIMEOUT_MS, DEFAULT_UPSTREAM_BODY_LIMIT, type OpenAICompatibleSettings } from './settings.js';
import { unexpectedAnswer } from './unexpected-answer.js';
import { UpstreamChatStream } from './upstream-chat-stream.js';
import { recordUpstreamId, traced } from './upstream-trace.js';

/** Error bodies are read for their reason only; a misbehaving upstream must not make us buffer megabytes. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;

/**
 * An upstream operation: `chat` and `models` are the base's own; a connector adds its own names (`embeddings`,
 * `ranking`) for the calls it adds, and its hooks tell them apart by name.
 */
export type UpstreamOperation = 'chat' | 'models' | (string & {});

/** A JSON answer: the upstream's text as it came, and the same parsed. */
export interface UpstreamJson {
  rawBody: string;
  json: unknown;
}

interface SendOptions extends CallOptions {
  /** The pool's key to send (POSTs only: `GET /models` goes with the first key and is not paced). */
  keyIndex?: number;
  method: 'GET' | 'POST';
  path: string;
  body?: string;
  stream?: boolean;
  /** The model the body asks for: a key the upstream refused for it is not tried for it again for a while. */
  model?: string | undefined;
}

/**
 * The base for every OpenAI-compatible, API-key provider. Subclasses change behaviour through the protected
 * hooks (`transformRequestBody`, `createUpstreamError`) and the settings they pass, not by re-implementing calls;
 * an extra upstream call (embeddings, ranking) is `postJson`/`postStream` with an operation name of its own.
 */
export class OpenAICompatibleConnector implements Connector {
  readonly name: string;
  readonly type: string;
  readonly baseURL: string;
  readonly timeouts: { readonly connectMs: number; readonly headersMs: number; readonly bodyMs: number };
  readonly #apiKeys: readonly string[];
  /**
   * The same few header sets on every call, built once per key as flat name/value lists (undici only reads them):
   * a call's `x-request-id` is appended with one array copy, where spreading an object into a new one with one
   * more key takes V8's slow path for defining a property. `get` has the first key.
   */
  readonly #requestHeaders: { readonly get: string[] };
  readonly #keyHeaders: readonly { readonly json: string[]; readonly stream: string[] }[];
  /** POST headers without a key, for an upstream that takes none (requireApiKey: false and no key configured). */
  readonly #unkeyedHeaders: { readonly json: string[]; readonly stream: string[] };
  /** An `x-request-id` from settings.headers: kept out of the lists, sent on calls that carry no id of their own. */
  readonly #configuredRequestId: string | undefined;
  /** Chooses each POST's key; undefined without keys (completions then fail with createMissingApiKeyError). */
  readonly #limiter: KeyLimiter | undefined;
  /** The keys the upstream refused with 401, by model (NIM's 401 can mean the model, not the key). */
  readonly #refusals = new KeyRefusals();
  readonly #staticModels: readonly string[] | undefined;
  readonly #dispatcher: Dispatcher;
  readonly #ownsDispatcher: boolean;
  readonly #upstreamProxy: string | undefined;
  readonly #healthCheckOnFirstUse: boolean;
  /** The response header naming each call at the upstream (settings.requestIdHeader), read into CallOptions.trace. */
  readonly #requestIdHeader: string | undefined;
  /** Finds the pool's keys in text the upstream writes that is passed on as it is (its id for the call). */
  readonly #keyScrubber: SecretScrubber;
  readonly #requireApiKey: boolean;
  readonly #bodyLimit: number;
  #models: readonly string[] = [];
  #health: Promise<void> | undefined;
  #healthy = false;
  readonly #targets = new Map<string, { url: string; origin: string; path: string }>();
  #closed = false;

  constructor(settings: OpenAICompatibleSettings) {
    this.name = settings.name;
    this.type = settings.type ?? 'openai';
    this.baseURL = settings.baseURL.replace(/\/+$/, '');
    this.#apiKeys = (settings.apiKeys ?? [settings.apiKey]).filter((key): key is string => typeof key === 'string' && key !== '');
    this.#staticModels = settings.models;
    this.#healthCheckOnFirstUse = settings.healthCheckOnFirstUse ?? false;
    this.#requestIdHeader = settings.requestIdHeader?.toLowerCase();
    this.#keyScrubber = new SecretScrubber(this.#apiKeys);
    this.#requireApiKey = settings.requireApiKey ?? true;
    this.#bodyLimit = settings.bodyLimitBytes ?? DEFAULT_UPSTREAM_BODY_LIMIT;
    this.timeouts = {
      connectMs: settings.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      headersMs: settings.headersTimeoutMs ?? DEFAULT_TIMEOUT_MS,
      bodyMs: settings.bodyTimeoutMs ?? DEFAULT_TIMEOUT_MS,
    };
    const { 'x-request-id': configuredRequestId, ...configured } = settings.headers ?? {};
    this.#configuredRequestId = configuredRequestId;
    const headers: Record<string, string> = { 'user-agent': settings.userAgent ?? `nim-proxy/${CORE_VERSION}`, ...configured };
    const first = this.#apiKeys[0];
    this.#requestHeaders = { get: flatHeaders({ ...headers, accept: 'application/json', ...(first ? { authorization: `Bearer ${first}` } : {}) }) };
    this.#keyHeaders = this.#apiKeys.map((key) => {
      const keyed = { ...headers, authorization: `Bearer ${key}` };
      return {
        json: flatHeaders({ ...keyed, accept: 'application/json', 'content-type': 'application/json' }),
        stream: flatHeaders({ ...keyed, accept: 'text/event-stream', 'content-type': 'application/json' }),
      };
    });
    this.#unkeyedHeaders = {
      json: flatHeaders({ ...headers, accept: 'application/json', 'content-type': 'application/json' }),
      stream: flatHeaders({ ...headers, accept: 'text/event-stream', 'content-type': 'application/json' }),
    };
    const size = this.#apiKeys.length;
    if (settings.keyLimiter && settings.keyLimiter.size !== size) {
      throw new Error(`the key limiter was built for ${settings.keyLimiter.size} keys, the pool has ${size}`);
    }
    this.#limiter = size === 0 ? undefined : (settings.keyLimiter ?? new UnpacedKeyLimiter(size));
    this.#ownsDispatcher = settings.dispatcher === undefined;
    this.#dispatcher =
      settings.dispatcher ??
      createDispatcher({
        origin: new URL(this.baseURL).origin,
        allowH2: settings.allowH2 ?? false,
        connections: settings.connections,
        keepAliveTimeoutMs: settings.keepAliveTimeoutMs,
        connectTimeoutMs: this.timeouts.connectMs,
        headersTimeoutMs: this.timeouts.headersMs,
        bodyTimeoutMs: this.timeouts.bodyMs,
        proxy: settings.proxy,
      });
    const proxyUrl = settings.dispatcher === undefined ? proxyFor(settings.proxy, this.baseURL) : undefined;
    this.#upstreamProxy = proxyUrl === undefined ? undefined : describeProxyUrl(proxyUrl);
  }

  /** The HTTP proxy the upstream is reached through, without its credentials, for the start-up line; undefined when directly. */
  get upstreamProxy(): string | undefined {
    return this.#upstreamProxy;
  }

  /** Whether an upstream key is configured (the key itself is never exposed). */
  get hasApiKey(): boolean {
    return this.#apiKeys.length > 0;
  }

  /** Whether completions are refused without a key (false: the upstream is called without one). */
  get requiresApiKey(): boolean {
    return this.#requireApiKey;
  }

  /** How many keys the pool holds (never the keys). */
  get keyCount(): number {
    return this.#apiKeys.length;
  }

  /** The full URL of an endpoint below the base URL. */
  endpoint(path: string): string {
    return joinUrl(this.baseURL, path);
  }

  async initialize(options?: CallOptions): Promise<void> {
    if (this.#staticModels) {
      this.#models = [...this.#staticModels];
      return;
    }
    // A provider that needs a key is not asked without one; a keyless upstream (Ollama, local vLLM) is.
    if (this.#requireApiKey && !this.hasApiKey) {
      this.#models = [];
      return;
    }
    try {
      const list = await this.listModels(options);
      this.#models = list.data.map((model) => model.id);
    } catch (error) {
      this.#models = [];
      throw error;
    }
  }

  getAvailableModels(): readonly string[] {
    return this.#models;
  }

  async listModels(options?: CallOptions): Promise<ModelList> {
    const response = await this.#send({ method: 'GET', path: 'models', signal: options?.signal });
    const text = await this.#guard(response.json(this.#bodyLimit), options, this.#target('models').url);
    const parsed = modelListSchema.safeParse(this.#parseJson(text, 'models'));
    if (!parsed.success) throw this.#badUpstreamBody('models', parsed.error.message);
    return parsed.data;
  }

  async healthCheck(options?: CallOptions): Promise<void> {
    const response = await this.#send({ method: 'GET', path: 'models', signal: options?.signal });
    response.discard(MAX_ERROR_BODY_BYTES);
  }

  async chatCompletion(request: ChatCompletionRequest, options?: CallOptions): Promise<ChatCompletionResult> {
    const { rawBody, json } = await this.postJson('chat', 'chat/completions', request.stream === false ? request : { ...request, stream: false }, options);
    const parsed = isWellFormedChatCompletion(json) ? undefined : chatCompletionSchema.safeParse(json);
    if (parsed && !parsed.success) throw this.#badUpstreamBody('chat/completions', parsed.error.issues[0]?.message ?? 'unexpected shape');
    const completion = json as ChatCompletion;
    return { rawBody, body: completion, usage: extractUsage(completion.usage) };
  }

  async streamChatCompletion(request: ChatCompletionRequest, options?: CallOptions): Promise<ChatCompletionStream> {
    // A streamed request already says so: it is sent without a copy.
    const response = await this.postStream('chat', 'chat/completions', request.stream === true ? request : { ...request, stream: true }, options);
    const stream = new UpstreamChatStream(response, { backend: this.name, url: this.#target('chat/completions').url, signal: options?.signal });
    // Its first read is checked before the call resolves: a body that is no event stream, or that opens with an
    // error event, is answered with its status (and retried where that may help) before the client gets anything.
    await stream.opened();
    return stream;
  }

  async createEmbeddings(request: EmbeddingsRequest, options?: CallOptions): Promise<EmbeddingsResult> {
    return this.postEmbeddings(request, request.encoding_format, options);
  }

  /**
   * Sends `body` and answers in the `asked` encoding, the client's: a connector that leaves `encoding_format` out of
   * what its upstream gets still passes what the client asked for. The openai SDK asks for base64 unless told
   * otherwise and decodes whatever comes as base64: numbers from an upstream that ignored or was never sent the
   * format would be decoded as bytes into a wrong vector, without an error.
   */
  protected async postEmbeddings(body: EmbeddingsRequest, asked: EmbeddingsRequest['encoding_format'], options?: CallOptions): Promise<EmbeddingsResult> {
    const { rawBody, json } = await this.postJson('embeddings', 'embeddings', body, options);
    if (!isEmbeddingsList(json)) throw this.#badUpstreamBody('embeddings', 'expected a list of embeddings');
    const usage = extractUsage((json as { usage?: unknown }).usage);
    if (asked === 'base64') return { rawBody: base64EmbeddingsText(json) ?? rawBody, usage };
    return { rawBody, usage };
  }

  /** Closes the connector's own dispatcher (an injected one belongs to the caller). Safe to call more than once. */
  async close(): Promise<void> {
    if (!this.#ownsDispatcher || this.#closed) return;
    this.#closed = true;
    await this.#dispatcher.close();
  }

  /**
   * POSTs `body` (after `transformRequestBody`) as JSON to `path` below the base URL and reads the JSON answer.
   * Rejects with a ProxyError: the upstream's own status for a 4xx/5xx (see `createUpstreamError`), 502 for a body
   * that is not JSON, the transport's mapping for a failed connection.
   */
  protected async postJson(operation: UpstreamOperation, path: string, body: object, options?: CallOptions): Promise<UpstreamJson> {
    const pending = this.#beforeCall(options);
    if (pending) await pending;
    const payload = JSON.stringify(this.transformRequestBody(body as Record<string, unknown>, operation));
    const response = await this.#sendWithKey({ method: 'POST', path, body: payload, model: modelOf(body), log: options?.log, ...traced(options) });
    const rawBody = await this.#guard(response.json(this.#bodyLimit), options, this.#target(path).url);
    return { rawBody, json: this.#parseJson(rawBody, path) };
  }

  /**
   * POSTs `body` like postJson, asking for an event stream; resolves once the upstream answered 2xx. Not async:
   * once the health check has passed the call goes straight on, and the send's promise is the one returned.
   */
  protected postStream(operation: UpstreamOperation, path: string, body: object, options?: CallOptions): Promise<UpstreamResponse> {
    const send = () => {
      const payload = JSON.stringify(this.transformRequestBody(body as Record<string, unknown>, operation));
      return this.#sendWithKey({ method: 'POST', path, body: payload, stream: true, model: modelOf(body), log: options?.log, ...traced(options) });
    };
    try {
      const pending = this.#beforeCall(options);
      return pending ? pending.then(send) : send();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Rewrites an outbound body, by operation. The default sends the body as it is; providers with stricter schemas
   * override this (and must not mutate the argument).
   */
  protected transformRequestBody(body: Record<string, unknown>, _operation: UpstreamOperation): Record<string, unknown> {
    return body;
  }

  /** Turns an upstream 4xx/5xx into the error the client sees. Providers override it to explain their quirks. */
  protected createUpstreamError(input: UpstreamHttpErrorInput): ProxyError {
    return createUpstreamHttpError(input);
  }

  /**
   * The error a completion gets when no upstream key is configured. A provider that can say where its key goes
   * passes its own `message`; the status, code and no-retry header stay the same for every provider.
   */
  protected createMissingApiKeyError(
    message = `The ${this.name} backend has no API key configured, so the proxy cannot call it. Set the key in the proxy's configuration.`,
  ): ProxyError {
    return new ProxyError({
      status: 503,
      code: 'upstream_api_key_missing',
      isRetryable: false,
      // Nothing changes until the proxy is restarted with a key: the openai and Anthropic SDKs would retry a 503.
      headers: { 'x-should-retry': 'false' },
      message,
    });
  }

  /** Rejects when a call cannot be sent; waits for the first-use health check while it is pending. */
  #beforeCall(options: CallOptions | undefined): Promise<void> | undefined {
    if (this.#requireApiKey && !this.hasApiKey) throw this.createMissingApiKeyError();
    // Undefined, not a settled promise, once nothing is left to wait for: nearly every call then goes straight on.
    if (!this.#healthCheckOnFirstUse || this.#healthy) return undefined;
    this.#health ??= this.healthCheck(options).then(
      () => {
        this.#healthy = true;
      },
      (error: unknown) => {
        this.#health = undefined; // the next request probes again
        throw error;
      },
    );
    return this.#health;
  }

  /**
   * One POST on the key the limiter gives it. A 429 rests that key, a 401 keeps it from the request's model (see
   * KeyRefusals) and a 403 — or 401s for two models — takes it out of the pool; each way, while another key is
   * left and the client has received nothing, the request moves to it here (at most one attempt per key), so a pool
   * hides one throttled, unentitled or revoked key from its clients. A pool of one throws the upstream's answer,
   * for the server's retries. The key's in-flight slot is held until the body has been read.
   */
  async #sendWithKey(options: SendOptions): Promise<UpstreamResponse> {
    const limiter = this.#limiter;
    // No key, and #beforeCall let the call through: an upstream that takes none.
    if (limiter === undefined) return this.#send(options);
    const report = options.report;
    for (let attempt = 0; ; attempt++) {
      // Retried: by this loop on another key, or by the server's retries around the call (the report is theirs too).
      const taken = limiter.acquire(options.signal, attempt > 0 || (report?.attempts ?? 0) > 0, this.#refusals.avoidFor(options.model), report);
      // Nearly always a lease at once: a promise only when the request has to queue.
      const lease = 'then' in taken ? await taken : taken;
      if (report) {
        report.keyIndex = lease.index;
        report.queuedMs = (report.queuedMs ?? 0) + lease.queuedMs;
        report.attempts = (report.attempts ?? 0) + 1;
      }
      options.keyIndex = lease.index;
      let response: UpstreamResponse;
      try {
        response = await this.#send(options);
      } catch (error) {
        lease.release();
        if (this.#movesToAnotherKey(limiter, error, lease.index, options) && attempt + 1 < limiter.size) continue;
        throw error;
      }
      this.#refusals.served(lease.index);
      response.onDone(lease.release);
      return response;
    }
  }

  /** Tells the limiter what the upstream said of a key; true when the request can go on with another key. */
  #movesToAnotherKey(limiter: KeyLimiter, error: unknown, index: number, options: SendOptions): boolean {
    if (!ProxyError.isInstance(error)) return false;
    const status = error.upstreamStatus;
    if (status === 429) {
      limiter.rest(index, parseRetryAfter(error.headers['retry-after'], Date.now()));
      return limiter.hasOtherKey(index);
    }
    const model = options.model;
    // With no other key to move to, telling a bad key from an unentitled one changes nothing: the last key stays.
    if (status === 401 && model !== undefined && limiter.hasOtherKey(index) && this.#refusals.refused(index, model) === 'model') {
      options.log?.warn(
        { backend: this.name, key_index: index, model, status },
        `upstream refused a key for this model (401: a bad key, or the model not enabled on its account): not used for the model for ${MODEL_REFUSAL_MS / 60_000} minutes`,
      );
      return limiter.hasOtherKey(index, this.#refusals.avoidFor(model));
    }
    return status === 401 || status === 403 ? limiter.remove(index, status) : false;
  }

  async #send(options: SendOptions): Promise<UpstreamResponse> {
    const { url, origin, path } = this.#target(options.path);
    const keyed =
      options.keyIndex !== undefined ? this.#keyHeaders[options.keyIndex] : options.body !== undefined ? this.#unkeyedHeaders : undefined;
    const headers = keyed === undefined ? this.#requestHeaders.get : options.stream ? keyed.stream : keyed.json;
    const requestId = options.requestId ?? this.#configuredRequestId;
    let response: UpstreamResponse;
    try {
      response = await dispatchUpstream(this.#dispatcher, {
        origin,
        path,
        method: options.method,
        // One header more per call, on the precomputed set: the proxy's request id, so one id traces the call.
        headers: requestId === undefined ? headers : headers.concat('x-request-id', requestId),
        body: options.body,
        signal: options.signal,
        headersTimeout: this.timeouts.headersMs,
        bodyTimeout: this.timeouts.bodyMs,
      });
    } catch (error) {
      throw mapTransportError(error, { backend: this.name, url, aborted: options.signal?.aborted ?? false });
    }
    if (options.trace && this.#requestIdHeader) recordUpstreamId(options.trace, this.#requestIdHeader, response.headers[this.#requestIdHeader], this.#keyScrubber);
    if (response.statusCode >= 400) {
      const bodyText = await response.text(MAX_ERROR_BODY_BYTES).catch(() => '');
      throw this.createUpstreamError({
        backend: this.name,
        status: response.statusCode,
        bodyText,
        headers: response.headers,
        url,
        secrets: this.#apiKeys,
      });
    }
    const problem = unexpectedAnswer(response.statusCode, response.headers, options.stream ? 'event-stream' : 'json');
    if (problem !== undefined) {
      response.abort(new Error(problem));
      throw new ProxyError({ status: 502, code: 'upstream_invalid_response', url, isRetryable: false, message: `The ${this.name} upstream ${problem}` });
    }
    return response;
  }

  /** An endpoint's URL, parsed once: a connector calls the same few paths for its whole life. */
  #target(endpointPath: string): { url: string; origin: string; path: string } {
    let target = this.#targets.get(endpointPath);
    if (!target) {
      const url = this.endpoint(endpointPath);
      const parsed = new URL(url);
      target = { url, origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
      this.#targets.set(endpointPath, target);
    }
    return target;
  }

  /** Maps a failure while reading a body the same way as a failure while sending. */
  async #guard<T>(promise: Promise<T>, options: CallOptions | undefined, url: string): Promise<T> {
    try {
      return await promise;
    } catch (error) {
      throw mapTransportError(error, { backend: this.name, url, aborted: options?.signal?.aborted ?? false, responseStarted: true });
    }
  }

  #parseJson(text: string, path: string): unknown {
    try {
      return JSON.parse(text);
    } catch {
      throw this.#badUpstreamBody(path, 'the body is not valid JSON');
    }
  }

  #badUpstreamBody(path: string, reason: string): ProxyError {
    return new ProxyError({
      status: 502,
      code: 'upstream_invalid_response',
      url: this.endpoint(path),
      message: `The ${this.name} upstream sent an invalid response to ${path}: ${reason}`,
    });
  }
}

/** `{ name: value }` as undici's flat `[name, value, …]` list. */
function flatHeaders(headers: Record<string, string>): string[] {
  return Object.entries(headers).flat();
}

/** The model a request body names, if it names one. */
function modelOf(body: object): string | undefined {
  const model = (body as { model?: unknown }).model;
  return typeof model === 'string' ? model : undefined;
}
