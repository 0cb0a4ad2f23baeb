import { ClientAbortError, ProxyError, redactSecrets, type CallOptions, type CancelSignal, type ChatCompletionRequest, type ChatCompletionStream, type Connector } from '@proxy/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { outcomeOf } from '../accounting/request-outcome.js';
import { recordRequest } from '../accounting/request-recorder.js';
import { cutByShutdown } from '../close-gracefully.js';
import { toProxyError } from '../http/to-proxy-error.js';
import { withRetries, type RetryEvent } from '../retry/with-retries.js';
import { abortOnClientClose } from '../routes/abort-on-client-close.js';
import { commitSseHeaders } from '../streaming/sse-headers.js';
import type { ExchangeDeps } from './exchange-deps.js';
import { refuseDeepNesting } from './json-depth.js';
import { modelLabel } from './known-models.js';
import type { ExchangeContext, FrontEnd, StreamEncoder } from './front-end.js';
import { sendRenderedError } from './render-error.js';
import { StreamRelay } from './relay-stream.js';

/** One request in flight: what the steps of the exchange share. */
interface Exchange<Body> {
  request: FastifyRequest;
  reply: FastifyReply;
  body: Body;
  connector: Connector;
  chat: ChatCompletionRequest;
  context: ExchangeContext;
  signal: CancelSignal;
}

/**
 * The exchange, written once for every front end: parse → route → call upstream, retrying only while the client
 * has received nothing → commit early while the upstream is silent → relay → record the request once, however it
 * ended (done, failed, aborted, refused). The front end only translates; nothing here knows a dialect.
 */
export function createExchangeHandler<Body>(frontEnd: FrontEnd<Body>, deps: ExchangeDeps) {
  return async function exchange(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const outcome = outcomeOf(request);
    outcome.frontEnd = frontEnd.name;
    const signal = abortOnClientClose(reply.raw);
    let status: number;
    try {
      status = await run(request, reply, signal);
    } catch (error) {
      status = signal.aborted ? abandon(request, reply) : answerError(request, reply, error);
    }
    recordRequest(request, reply, status, deps.metrics);
  };

  /** Not async: its checks throw before anything is awaited, and the step it ends in is the promise to wait for. */
  function run(request: FastifyRequest, reply: FastifyReply, signal: CancelSignal): Promise<number> {
    refuseDeepNesting(request.body);
    const body = frontEnd.parse(request.body);
    const asked = frontEnd.describe(body);
    const route = deps.backends.route(deps.forceModel ?? deps.resolveModel(asked.model));
    const outcome = outcomeOf(request);
    outcome.backend = route.backend;
    // The model id is client text that reaches the log line and token metrics: a client that pastes its key into
    // the wrong field must not have it written there.
    outcome.model = redactSecrets(route.model, deps.errors.secrets);
    outcome.modelLabel = modelLabel(route.connector, route.model);
    outcome.stream = asked.stream;
    const context: ExchangeContext = {
      requestId: request.id,
      clientModel: asked.model,
      backend: route.backend,
      upstreamModel: route.model,
      modelSettings: deps.modelSettings(route.backend, route.model),
      created: Math.floor(Date.now() / 1000),
      log: request.log,
    };
    const exchange: Exchange<Body> = { request, reply, body, connector: route.connector, chat: frontEnd.toChatRequest(body, context), context, signal };
    return asked.stream ? stream(exchange) : complete(exchange);
  }

  async function complete(exchange: Exchange<Body>): Promise<number> {
    const { connector, chat, signal } = exchange;
    const options = callOptionsOf(exchange);
    const result = await withRetries(() => connector.chatCompletion(chat, options), {
      policy: deps.retry,
      signal,
      onRetry: (event) => countRetry(exchange, event),
    });
    const outcome = outcomeOf(exchange.request);
    // Set before translating, so an answer that fails to translate still counts the tokens the upstream spent.
    outcome.usage = result.usage;
    const answer = frontEnd.fromChatCompletion(result, exchange.body, exchange.context);
    // As for a stream: without the upstream's usage, the estimate the front end gave the client.
    outcome.usage ??= answer.estimatedUsage;
    relayUpstreamId(exchange.request, exchange.reply);
    exchange.reply.type('application/json; charset=utf-8').send(deps.scrubber.scrub(answer.text));
    return 200;
  }

  /**
   * The client gets the upstream's real status when it answers within one keep-alive interval; only a silent
   * upstream makes the proxy commit 200 first, so the client sees bytes before its own timeout. Retrying is safe
   * only while the client has received nothing, so the commit stops the retries, and the deadline keeps every wait
   * before a retry inside the interval.
   */
  async function stream(exchange: Exchange<Body>): Promise<number> {
    const { connector, chat, signal } = exchange;
    const intervalMs = deps.keepaliveIntervalMs;
    // Made before the call, so a front end that cannot encode this request fails it before anything is sent.
    const encoder = frontEnd.createStreamEncoder(exchange.body, exchange.context);
    let relay: StreamRelay | undefined;
    const options = callOptionsOf(exchange);
    const pending = withRetries(() => connector.streamChatCompletion(chat, options), {
      policy: deps.retry,
      signal,
      stopped: () => relay !== undefined,
      deadline: intervalMs > 0 ? exchange.context.created * 1000 + intervalMs : undefined,
      onRetry: (event) => countRetry(exchange, event),
    });
    const silence = intervalMs > 0 ? setTimeout(() => (relay = commit(exchange, encoder, true)), intervalMs) : undefined;
    let upstream: ChatCompletionStream;
    try {
      upstream = await pending;
    } catch (error) {
      if (!relay) throw error;
      return finishStream(exchange, relay.fail(toProxyError(error, deps.errors)), undefined, relay);
    } finally {
      clearTimeout(silence);
    }
    if (signal.aborted) {
      upstream.cancel();
      return relay ? finishStream(exchange, 'aborted', upstream, relay) : abandon(exchange.request, exchange.reply);
    }
    // Headers not sent yet (NIM answered within the interval) can still carry NIM's id for the call.
    if (!relay) relayUpstreamId(exchange.request, exchange.reply);
    relay ??= commit(exchange, encoder, false);
    return finishStream(exchange, await relay.pipe(upstream, (error) => toProxyError(error, deps.errors)), upstream, relay);
  }

  /** Sends 200 and the stream's headers: from here on the client hears of failures as the encoder's error frame. */
  function commit(exchange: Exchange<Body>, encoder: StreamEncoder, silent: boolean): StreamRelay {
    const { reply } = exchange;
    reply.hijack();
    deps.metrics?.streamStarted();
    const release = commitSseHeaders(reply.raw, reply.getHeaders());
    const relay = new StreamRelay({
      response: reply.raw,
      encoder,
      signal: exchange.signal,
      keepaliveIntervalMs: deps.keepaliveIntervalMs,
      release,
      scrubber: deps.scrubber,
    });
    relay.open(silent);
    return relay;
  }

  function finishStream(exchange: Exchange<Body>, status: 'completed' | 'failed' | 'aborted', upstream: ChatCompletionStream | undefined, relay: StreamRelay): number {
    deps.metrics?.streamEnded();
    const outcome = outcomeOf(exchange.request);
    outcome.usage = upstream?.usage ?? relay.estimatedUsage;
    if (status === 'failed') outcome.error = relay.error;
    return status === 'aborted' ? markCut(exchange.request) : 200;
  }

  /** A failure before anything was sent: answered in the front end's shape with its status. */
  function answerError(request: FastifyRequest, reply: FastifyReply, error: unknown): number {
    const proxyError: ProxyError = toProxyError(error, deps.errors);
    logIfBug(request, error, proxyError, deps.errors.secrets);
    const outcome = outcomeOf(request);
    outcome.error = proxyError;
    relayUpstreamId(request, reply);
    // The proxy already waited or retried for this request: the SDKs (openai, Anthropic) honour this header, so
    // their own retries do not multiply the load on top of the proxy's.
    if ((outcome.retries ?? 0) > 0 || (outcome.attempts ?? 0) > 1 || (outcome.queuedMs ?? 0) > 0) reply.header('x-should-retry', 'false');
    return sendRenderedError(reply, frontEnd, proxyError, deps.scrubber);
  }

  function countRetry(exchange: Exchange<Body>, event: RetryEvent): void {
    const backend = exchange.context.backend;
    const outcome = outcomeOf(exchange.request);
    outcome.retries = (outcome.retries ?? 0) + 1;
    deps.metrics?.upstreamRetries.inc({ backend, reason: event.reason });
    // The reason and wait only: upstream messages may quote the request.
    exchange.request.log.warn({ backend, retry: event.retry, reason: event.reason, delay_ms: event.delayMs }, 'retrying upstream request');
  }
}

/**
 * The options of the exchange's upstream call. The outcome is its KeyUseReport and its UpstreamTrace: the connector
 * writes the key index, the queue time and the upstream's id for the call on it, for the log line.
 */
function callOptionsOf(exchange: { request: FastifyRequest; signal: CancelSignal }): CallOptions {
  const outcome = outcomeOf(exchange.request);
  return { signal: exchange.signal, report: outcome, trace: outcome, requestId: exchange.request.id, log: exchange.request.log };
}

/** The upstream's id for the call (NVIDIA's `nvcf-reqid`) as a response header of the same name, for its support. */
function relayUpstreamId(request: FastifyRequest, reply: FastifyReply): void {
  const id = request.outcome?.upstreamRequestId;
  // The proxy's own x-request-id is never replaced by an upstream's.
  if (id && id.header !== 'x-request-id' && !reply.sent) reply.header(id.header, id.value);
}

/** The client left: nothing can be sent, so the request is counted as 499 and the reply given up. */
function abandon(request: FastifyRequest, reply: FastifyReply): number {
  if (!reply.sent) reply.hijack();
  return markCut(request);
}

/**
 * A request whose connection closed before it was answered: the client left (499), unless the proxy's own
 * shutdown cut it when its grace period ran out (503 `shutting_down`).
 */
function markCut(request: FastifyRequest): number {
  const outcome = outcomeOf(request);
  if (cutByShutdown(request.server)) {
    outcome.error = new ProxyError({ status: 503, code: 'shutting_down', message: 'The proxy shut down before the request was finished' });
    return 503;
  }
  outcome.error = new ClientAbortError();
  return 499;
}

/** A bug, not an upstream failure: the only case worth a stack trace. */
export function logIfBug(request: FastifyRequest, error: unknown, proxyError: ProxyError, secrets: readonly string[]): void {
  if (proxyError.status < 500 || proxyError.code !== 'internal_error') return;
  const { name, message, stack } = (error ?? {}) as { name?: unknown; message?: unknown; stack?: unknown };
  request.log.error({ err: { type: name, message: redactSecrets(String(message), secrets), stack } }, 'unhandled error');
}
