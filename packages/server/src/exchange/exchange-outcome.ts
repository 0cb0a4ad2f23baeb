import { ClientAbortError, ProxyError, redactSecrets, type CallOptions, type CancelSignal } from '@proxy/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { outcomeOf } from '../accounting/request-outcome.js';
import { cutByShutdown } from '../close-gracefully.js';
import { toProxyError } from '../http/to-proxy-error.js';
import type { RetryEvent } from '../retry/with-retries.js';
import type { ExchangeDeps } from './exchange-deps.js';
import type { FrontEnd } from './front-end.js';
import { sendRenderedError } from './render-error.js';

/**
 * How an upstream call's ending is told and noted, for every route that calls an upstream (the exchange's front
 * ends, embeddings): the call's options, its retries, the upstream's id, a failure answered, a client gone.
 */

/**
 * The options of an upstream call. The outcome is its KeyUseReport and its UpstreamTrace: the connector writes the
 * key index, the queue time and the upstream's id for the call on it, for the log line.
 */
export function callOptionsOf(request: FastifyRequest, signal: CancelSignal): CallOptions {
  const outcome = outcomeOf(request);
  return { signal, report: outcome, trace: outcome, requestId: request.id, log: request.log };
}

/** One retry of the call: counted on the outcome and in the metrics, and logged with its reason and wait only. */
export function countRetry(request: FastifyRequest, backend: string, event: RetryEvent, deps: Pick<ExchangeDeps, 'metrics'>): void {
  const outcome = outcomeOf(request);
  outcome.retries = (outcome.retries ?? 0) + 1;
  deps.metrics?.upstreamRetries.inc({ backend, reason: event.reason });
  // The reason and wait only: upstream messages may quote the request.
  request.log.warn({ backend, retry: event.retry, reason: event.reason, delay_ms: event.delayMs }, 'retrying upstream request');
}

/** The upstream's id for the call (NVIDIA's `nvcf-reqid`) as a response header of the same name, for its support. */
export function relayUpstreamId(request: FastifyRequest, reply: FastifyReply): void {
  const id = request.outcome?.upstreamRequestId;
  // The proxy's own x-request-id is never replaced by an upstream's.
  if (id && id.header !== 'x-request-id' && !reply.sent) reply.header(id.header, id.value);
}

/** A failure before anything was sent: answered in the dialect's shape with its status, which is returned. */
export function answerError(
  request: FastifyRequest,
  reply: FastifyReply,
  error: unknown,
  dialect: Pick<FrontEnd<unknown>, 'renderError'>,
  deps: Pick<ExchangeDeps, 'errors' | 'scrubber'>,
): number {
  const proxyError: ProxyError = toProxyError(error, deps.errors);
  logIfBug(request, error, proxyError, deps.errors.secrets);
  const outcome = outcomeOf(request);
  outcome.error = proxyError;
  relayUpstreamId(request, reply);
  // The proxy already waited or retried for this request: the SDKs (openai, Anthropic) honour this header, so
  // their own retries do not multiply the load on top of the proxy's.
  if ((outcome.retries ?? 0) > 0 || (outcome.attempts ?? 0) > 1 || (outcome.queuedMs ?? 0) > 0) reply.header('x-should-retry', 'false');
  return sendRenderedError(reply, dialect, proxyError, deps.scrubber);
}

/** The client left: nothing can be sent, so the request is counted as 499 and the reply given up. */
export function abandon(request: FastifyRequest, reply: FastifyReply): number {
  if (!reply.sent) reply.hijack();
  return markCut(request);
}

/**
 * A request whose connection closed before it was answered: the client left (499), unless the proxy's own
 * shutdown cut it when its grace period ran out (503 `shutting_down`).
 */
export function markCut(request: FastifyRequest): number {
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
