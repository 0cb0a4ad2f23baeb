import {
  ClientAbortError,
  parseChatCompletionRequest,
  redactSecrets,
  type CancelSignal,
  type ChatCompletionRequest,
  type ChatCompletionStream,
  type Connector,
} from '@proxy/core';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { outcomeOf, type RequestOutcome } from '../accounting/request-outcome.js';
import { recordRequest } from '../accounting/request-recorder.js';
import type { BackendSet } from '../backends/backend-set.js';
import type { KeepaliveFormat } from '../config/config-schema.js';
import { toProxyError, type ErrorContext } from '../http/to-proxy-error.js';
import type { ProxyMetrics } from '../metrics/proxy-metrics.js';
import type { RetryPolicy } from '../retry/retry-policy.js';
import { withRetries, type RetryEvent } from '../retry/with-retries.js';
import { buildKeepaliveFrame } from '../streaming/keepalive-frame.js';
import { relayChatStream } from '../streaming/relay-chat-stream.js';
import { settleWithin } from '../streaming/settle-within.js';
import { commitSseHeaders } from '../streaming/sse-headers.js';
import { abortOnClientClose } from './abort-on-client-close.js';

export interface ChatCompletionsRouteOptions {
  backends: BackendSet;
  /** Replaces the client's model; may carry a `backend:` prefix. */
  forceModel: string | undefined;
  keepalive: { intervalMs: number; format: KeepaliveFormat };
  /** Retries of upstream calls that failed before the client received a byte. */
  retry: RetryPolicy;
  metrics: ProxyMetrics | undefined;
  errors: ErrorContext;
}

interface Target {
  connector: Connector;
  request: ChatCompletionRequest;
  /** The model id the client sent. */
  clientModel: string;
  signal: CancelSignal;
  backend: string;
}

/** `POST /v1/chat/completions`, streaming and not, routed by `backend:model`. */
export const chatCompletionsRoute: FastifyPluginAsync<ChatCompletionsRouteOptions> = async (app, options) => {
  app.post('/v1/chat/completions', async (request, reply) => {
    const body = parseChatCompletionRequest(request.body);
    const route = options.backends.route(options.forceModel ?? body.model);
    const outcome = outcomeOf(request);
    outcome.backend = route.backend;
    // The model id is client text that reaches the log line and token metrics: a client that pastes its key into
    // the wrong field must not have it written there.
    outcome.model = redactSecrets(route.model, options.errors.secrets);
    outcome.stream = body.stream === true;
    const clientModel = body.model;
    // The parsed body is this request's own and nothing reads it after routing: the upstream model id is set in
    // place rather than by copying the whole body (in profiles that spread took V8's slow path, ≈ 2 µs a request).
    body.model = route.model;
    const target: Target = {
      connector: route.connector,
      request: body,
      clientModel,
      signal: abortOnClientClose(reply.raw),
      backend: route.backend,
    };
    return outcome.stream ? streamCompletion(request, reply, target) : complete(request, reply, target);
  });

  async function complete(request: FastifyRequest, reply: FastifyReply, target: Target): Promise<FastifyReply | undefined> {
    let result;
    try {
      result = await withRetries(() => target.connector.chatCompletion(target.request, { signal: target.signal }), {
        policy: options.retry,
        signal: target.signal,
        onRetry: (event) => countRetry(request, target, event),
      });
    } catch (error) {
      if (target.signal.aborted) return abandon(request, reply);
      throw error;
    }
    outcomeOf(request).usage = result.usage;
    // The upstream's bytes as they came: no re-serialisation.
    return reply.type('application/json; charset=utf-8').send(result.rawBody);
  }

  async function streamCompletion(request: FastifyRequest, reply: FastifyReply, target: Target): Promise<undefined> {
    const { intervalMs } = options.keepalive;
    // Retrying is safe only while the client has received nothing: once 200 is committed (below, when the upstream
    // stayed silent for a whole interval) a later failure must reach the client as an error event, so commit stops
    // the retries, and a retry whose wait would outlast the interval is not started.
    // The deadline keeps every wait before a retry inside the interval, so a flag is enough to stop them at commit.
    let committed = false;
    const startedAt = Date.now(); // one clock read for the retry deadline and the keep-alive frames' `created`
    const pending = withRetries(() => target.connector.streamChatCompletion(target.request, { signal: target.signal }), {
      policy: options.retry,
      signal: target.signal,
      stopped: () => committed,
      deadline: intervalMs > 0 ? startedAt + intervalMs : undefined,
      onRetry: (event) => countRetry(request, target, event),
    });
    // The client gets the upstream's real status if it answers within one keep-alive interval; only a silent
    // upstream makes the proxy commit 200 first, so the client sees bytes before its own timeout.
    let upstreamSilent = false;
    let upstream: ChatCompletionStream | Promise<ChatCompletionStream> = pending;
    if (intervalMs > 0) {
      const early = await settleWithin(pending, intervalMs);
      if (early.status === 'rejected') {
        if (target.signal.aborted) return abandon(request, reply);
        throw early.reason;
      }
      if (early.status === 'fulfilled') upstream = early.value;
      upstreamSilent = early.status === 'pending';
      committed = upstreamSilent;
    } else {
      try {
        upstream = await pending;
      } catch (error) {
        if (target.signal.aborted) return abandon(request, reply);
        throw error;
      }
    }
    if (target.signal.aborted) {
      pending.then((stream) => stream.cancel(), () => undefined);
      return abandon(request, reply);
    }

    reply.hijack();
    const created = Math.floor(startedAt / 1000);
    options.metrics?.streamStarted();
    const outcome = outcomeOf(request);
    try {
      const release = commitSseHeaders(reply.raw, reply.getHeaders());
      const result = await relayChatStream({
        response: reply.raw,
        stream: upstream,
        signal: target.signal,
        includeUsage: target.request.stream_options?.include_usage === true,
        keepalive: {
          frame: () => buildKeepaliveFrame({ format: options.keepalive.format, model: target.clientModel, id: `chatcmpl-keepalive-${request.id}`, created }),
          intervalMs,
          sendNow: upstreamSilent,
        },
        toError: (error) => toProxyError(error, options.errors),
        release,
      });
      outcome.usage = result.usage;
      if (result.status === 'failed') outcome.error = result.error;
      if (result.status === 'aborted') outcome.error = new ClientAbortError();
      // Counted here rather than in onResponse: an aborted stream never 'finish'es, and this way the usage is
      // known for certain before the line is written.
      recordRequest(request, reply, result.status === 'aborted' ? 499 : 200, options.metrics);
    } catch (error) {
      // Past hijack() Fastify's error handler cannot answer; a bug here must still end the response.
      request.log.error({ err: error }, 'stream relay failed');
      pending.then((stream) => stream.cancel(), () => undefined);
      reply.raw.destroy();
      recordRequest(request, reply, 500, options.metrics);
    } finally {
      options.metrics?.streamEnded();
    }
    return undefined;
  }

  function countRetry(request: FastifyRequest, target: Target, event: RetryEvent): void {
    options.metrics?.upstreamRetries.inc({ backend: target.backend, reason: event.reason });
    // The reason and wait only: upstream messages may quote the request.
    request.log.warn({ backend: target.backend, retry: event.retry, reason: event.reason, delay_ms: event.delayMs }, 'retrying upstream request');
  }

  /** The client left: nothing can be sent, so the request is counted as 499 and the reply given up. */
  function abandon(request: FastifyRequest, reply: FastifyReply): undefined {
    const outcome: RequestOutcome = outcomeOf(request);
    outcome.error = new ClientAbortError();
    reply.hijack();
    recordRequest(request, reply, 499, options.metrics);
    return undefined;
  }
};
