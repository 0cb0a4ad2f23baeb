import type { ProxyError } from '@proxy/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorClass, type ProxyMetrics } from '../metrics/proxy-metrics.js';

/** Routes polled by machines: logged at debug so probes do not drown the request log. */
const QUIET_ROUTES = new Set(['/healthz', '/metrics']);

/** One request's log line, beside the `request_id` that `request.log` (Fastify's child logger) binds. */
interface RequestLineFields {
  method: string;
  route: string;
  status: number;
  latency_ms: number;
  front_end?: string;
  /** The proxy key's configured name; the key itself is never logged. */
  key_name?: string;
  backend?: string;
  model?: string;
  stream?: boolean;
  prompt_tokens?: number | undefined;
  completion_tokens?: number | undefined;
  total_tokens?: number | undefined;
  /** The upstream key's index in its backend's pool (never the key), and the time spent waiting for its slot. */
  key_index?: number;
  queued_ms?: number;
  /** The upstream's own id for the call (NVIDIA's `nvcf-reqid`), which its support asks for. */
  upstream_request_id?: string;
  error_type?: string;
  error_code?: string | null;
  /** The upstream call that failed: here, never in what the client is told. */
  upstream_url?: string;
}

/**
 * Counts a finished request in the metrics and writes its one log line through the request's own logger: route,
 * status, latency and, once routed, backend, model and token usage. Never logs bodies or headers.
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
      const usage = outcome.usage;
      if (usage) metrics.countTokens(outcome.backend, outcome.modelLabel ?? outcome.model, usage.promptTokens, usage.completionTokens, outcome.keyName, outcome.frontEnd);
      const error = outcome.error;
      // A client that left is not an upstream failure.
      if (error && error.code !== 'client_closed_request') {
        metrics.upstreamErrors.inc({ backend: outcome.backend, class: errorClass(error.status), code: errorCodeLabel(error) });
      }
    }
  }

  const fields: RequestLineFields = { method: request.method, route, status, latency_ms: Math.round(latencyMs * 10) / 10 };
  if (outcome?.frontEnd !== undefined) fields.front_end = outcome.frontEnd;
  if (outcome?.keyName !== undefined) fields.key_name = outcome.keyName;
  if (outcome?.backend !== undefined) {
    const usage = outcome.usage;
    fields.backend = outcome.backend;
    if (outcome.model !== undefined) fields.model = outcome.model;
    fields.stream = outcome.stream ?? false;
    fields.prompt_tokens = usage?.promptTokens;
    fields.completion_tokens = usage?.completionTokens;
    fields.total_tokens = usage?.totalTokens;
    if (outcome.keyIndex !== undefined) fields.key_index = outcome.keyIndex;
    if (outcome.queuedMs !== undefined) fields.queued_ms = Math.round(outcome.queuedMs);
    if (outcome.upstreamRequestId !== undefined) fields.upstream_request_id = outcome.upstreamRequestId.value;
  }
  // Type and code, not the message: an upstream's message can quote the request body (pydantic's `input`).
  const error = outcome?.error;
  if (error) {
    fields.error_type = error.type;
    fields.error_code = error.code;
    if (error.url !== undefined) fields.upstream_url = error.url;
  }
  request.log[levelOf(route, status, error)](fields, 'request completed');
}

/**
 * What an operator alerts on: a failure of the proxy itself is an error, an upstream's failure a warning — a
 * stream that failed after its 200 too —, a client's mistake (4xx) or a success information, and probes of quiet
 * routes debug.
 */
function levelOf(route: string, status: number, error: ProxyError | undefined): 'debug' | 'info' | 'warn' | 'error' {
  if (status >= 500) return error?.code === 'internal_error' ? 'error' : 'warn';
  if (status < 400 && error !== undefined && error.status >= 500) return 'warn';
  return status < 400 && QUIET_ROUTES.has(route) ? 'debug' : 'info';
}

/**
 * The `code` label of an upstream error: the proxy's own codes (a fixed set) as they are, an upstream's answer by
 * its status. The code an upstream writes in its body is its text, and labelled as it came it would let an
 * upstream grow /metrics without bound (one that echoes the model name there made 3,000 series).
 */
function errorCodeLabel(error: ProxyError): string {
  if (error.upstreamStatus !== undefined) return `http_${error.upstreamStatus}`;
  return error.code ?? `http_${error.status}`;
}
