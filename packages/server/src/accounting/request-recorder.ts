import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorClass, type ProxyMetrics } from '../metrics/proxy-metrics.js';
import type { RequestLineFields, RequestLineWriter } from './request-line.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Where recordRequest writes each request's line (see RequestLineWriter). */
    requestLines: RequestLineWriter;
  }
}

/** Routes polled by machines: logged at debug so probes do not drown the request log. */
const QUIET_ROUTES = new Set(['/healthz', '/metrics']);

/**
 * Counts a finished request in the metrics and writes its one log line: route, status, latency and, once routed,
 * backend, model and token usage. Never logs bodies or headers.
 */
export function recordRequest(request: FastifyRequest, reply: FastifyReply, status: number, metrics: ProxyMetrics | undefined): void {
  const outcome = request.outcome;
  if (outcome?.recorded) return;
  if (outcome) outcome.recorded = true;
  const route = request.routeOptions.url ?? 'unmatched';
  const latencyMs = reply.elapsedTime;

  if (metrics) {
    metrics.countRequest(route, request.method, status);
    metrics.observeLatency(route, latencyMs / 1000);
    if (outcome?.backend !== undefined && outcome.model !== undefined) {
      if (outcome.usage) metrics.countTokens(outcome.backend, outcome.model, outcome.usage.promptTokens, outcome.usage.completionTokens);
      const error = outcome.error;
      // A client that left is not an upstream failure.
      if (error && error.code !== 'client_closed_request') {
        metrics.upstreamErrors.inc({ backend: outcome.backend, class: errorClass(error.status), code: error.code ?? `http_${error.status}` });
      }
    }
  }

  // The id comes first: the same line the request's child logger would write, without making one per request.
  const latency_ms = Math.round(latencyMs * 10) / 10;
  let fields: RequestLineFields;
  if (outcome?.backend === undefined) {
    fields = { request_id: request.id, method: request.method, route, status, latency_ms };
  } else {
    const usage = outcome.usage;
    fields = {
      request_id: request.id,
      method: request.method,
      route,
      status,
      latency_ms,
      backend: outcome.backend,
      model: outcome.model,
      stream: outcome.stream ?? false,
      prompt_tokens: usage?.promptTokens,
      completion_tokens: usage?.completionTokens,
      total_tokens: usage?.totalTokens,
    };
  }
  // Type and code, not the message: an upstream's message can quote the request body (pydantic's `input`).
  const error = outcome?.error;
  if (error) {
    fields.error_type = error.type;
    fields.error_code = error.code;
  }
  request.server.requestLines.write(status < 400 && QUIET_ROUTES.has(route) ? 'debug' : 'info', fields);
}
