import { redactSecrets, type CancelSignal, type ChatCompletionRequest, type ChatCompletionStream, type Connector } from '@proxy/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { outcomeOf } from '../accounting/request-outcome.js';
import { recordRequest } from '../accounting/request-recorder.js';
import { toProxyError } from '../http/to-proxy-error.js';
import { withRetries } from '../retry/with-retries.js';
import { abortOnClientClose } from '../routes/abort-on-client-close.js';
import { commitSseHeaders } from '../streaming/sse-headers.js';
import type { ExchangeDeps } from './exchange-deps.js';
import { abandon, answerError, callOptionsOf, countRetry, markCut, relayUpstreamId } from './exchange-outcome.js';
import { refuseDeepNesting } from './json-depth.js';
import { modelLabel } from './known-models.js';
import type { ExchangeContext, FrontEnd, StreamEncoder } from './front-end.js';
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
      status = signal.aborted ? abandon(request, reply) : answerError(request, reply, error, frontEnd, deps);
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
    const options = callOptionsOf(exchange.request, exchange.signal);
    const result = await withRetries(() => connector.chatCompletion(chat, options), {
      policy: deps.retry,
      signal,
      onRetry: (event) => countRetry(exchange.request, exchange.context.backend, event, deps),
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
    const options = callOptionsOf(exchange.request, exchange.signal);
    const pending = withRetries(() => connector.streamChatCompletion(chat, options), {
      policy: deps.retry,
      signal,
      stopped: () => relay !== undefined,
      deadline: intervalMs > 0 ? exchange.context.created * 1000 + intervalMs : undefined,
      onRetry: (event) => countRetry(exchange.request, exchange.context.backend, event, deps),
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
}

