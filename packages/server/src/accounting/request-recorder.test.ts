import { ProxyError } from '@proxy/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { loggerOptions } from '../http/logger-options.js';
import { ProxyMetrics } from '../metrics/proxy-metrics.js';
import type { RequestOutcome } from './request-outcome.js';
import { recordRequest } from './request-recorder.js';

/** The server's logger at `level`, and the request's child with its id bound, as Fastify makes it. */
function requestLogger(level: 'info' | 'debug' = 'debug') {
  const lines: string[] = [];
  const destination = { write: (line: string) => void lines.push(line) };
  const log = pino(loggerOptions(level, destination) as pino.LoggerOptions, destination).child({ request_id: 'r1' });
  return { lines, log };
}

function record(url: string | undefined, status: number, outcome: RequestOutcome | null, metrics?: ProxyMetrics) {
  const { lines, log } = requestLogger();
  const request = { id: 'r1', outcome, method: 'POST', routeOptions: { url }, log };
  recordRequest(request as unknown as FastifyRequest, { elapsedTime: 12.345 } as FastifyReply, status, metrics);
  expect(lines).toHaveLength(1);
  return { line: lines[0]!, record: JSON.parse(lines[0]!) as Record<string, unknown> };
}

describe('recordRequest log line', () => {
  it("is pino's line, with the request fields, and nothing routed when the request was not", () => {
    const { line, record: fields } = record(undefined, 404, null);
    expect(line).toMatch(/^\{"level":30,"time":\d+,"pid":\d+,"hostname":"[^"]*","request_id":"r1",/);
    expect(line.endsWith('\n')).toBe(true);
    expect(fields).toEqual({
      level: 30,
      time: expect.any(Number),
      pid: process.pid,
      hostname: expect.any(String),
      request_id: 'r1',
      method: 'POST',
      route: 'unmatched',
      status: 404,
      latency_ms: 12.3,
      msg: 'request completed',
    });
  });

  it('adds backend, model, stream and usage once routed', () => {
    const outcome: RequestOutcome = { backend: 'nv', model: 'meta/llama3-70b', usage: { promptTokens: 11, completionTokens: 4, totalTokens: 15 } };
    expect(record('/v1/chat/completions', 200, outcome).record).toMatchObject({
      request_id: 'r1',
      route: '/v1/chat/completions',
      status: 200,
      latency_ms: 12.3,
      backend: 'nv',
      model: 'meta/llama3-70b',
      stream: false,
      prompt_tokens: 11,
      completion_tokens: 4,
      total_tokens: 15,
    });
    expect(outcome.recorded).toBe(true);
  });

  it('leaves out usage a routed request did not get', () => {
    const fields = record('/v1/chat/completions', 200, { backend: 'nv', model: 'm', stream: true }).record;
    expect(fields).toMatchObject({ backend: 'nv', model: 'm', stream: true });
    expect(Object.keys(fields)).not.toContain('prompt_tokens');
    expect(Object.keys(fields)).not.toContain('total_tokens');
  });

  it('adds the error type and code (never the message), routed or not', () => {
    const error = new ProxyError({ status: 422, message: 'echoes the body: secret', code: null });
    const routed = record('/v1/chat/completions', 422, { backend: 'nv', model: 'm', stream: true, error });
    expect(routed.record).toMatchObject({ status: 422, backend: 'nv', stream: true, error_type: 'invalid_request_error', error_code: null });
    expect(routed.line).not.toContain('secret');
    const unrouted = new ProxyError({ status: 401, message: 'no key', code: 'missing_api_key' });
    const fields = record('/v1/models', 401, { error: unrouted }).record;
    expect(fields).toMatchObject({ route: '/v1/models', status: 401, error_type: 'authentication_error', error_code: 'missing_api_key' });
    expect(Object.keys(fields)).not.toContain('backend');
  });

  it('logs probes at debug unless they failed', () => {
    expect(record('/healthz', 200, null).record.level).toBe(20);
    expect(record('/metrics', 200, null).record.level).toBe(20);
    expect(record('/metrics', 401, null).record.level).toBe(30);
    expect(record('/v1/models', 200, null).record.level).toBe(30);
  });

  it('logs what an operator alerts on: proxy failures at error, upstream 5xx at warn, client 4xx at info', () => {
    const failure = (status: number, code: string) => ({ backend: 'nv', model: 'm', error: new ProxyError({ status, message: 'x', code }) });
    expect(record('/v1/chat/completions', 500, failure(500, 'internal_error')).record.level).toBe(50);
    expect(record('/v1/chat/completions', 502, failure(502, 'upstream_error')).record.level).toBe(40);
    expect(record('/v1/chat/completions', 504, failure(504, 'upstream_timeout')).record.level).toBe(40);
    expect(record('/v1/chat/completions', 422, failure(422, 'invalid_request')).record.level).toBe(30);
    expect(record('/v1/chat/completions', 401, { error: new ProxyError({ status: 401, message: 'x', code: 'invalid_api_key' }) }).record.level).toBe(30);
  });

  it('names the proxy key that was used, when it has a name', () => {
    expect(record('/v1/chat/completions', 200, { keyName: 'alice', backend: 'nv', model: 'm' }).record).toMatchObject({ key_name: 'alice' });
  });

  it('quotes the upstream’s id for the call (nvcf-reqid), for its support', () => {
    const upstreamRequestId = { header: 'nvcf-reqid', value: 'f2a9-77' };
    expect(record('/v1/chat/completions', 200, { backend: 'nv', model: 'm', upstreamRequestId }).record).toMatchObject({ upstream_request_id: 'f2a9-77' });
    expect(record('/v1/chat/completions', 200, { backend: 'nv', model: 'm' }).record).not.toHaveProperty('upstream_request_id');
  });

  it('honours the logger level', () => {
    const { lines, log } = requestLogger('info');
    const request = { id: 'r1', outcome: null, method: 'GET', routeOptions: { url: '/healthz' }, log };
    recordRequest(request as unknown as FastifyRequest, { elapsedTime: 1 } as FastifyReply, 200, undefined);
    expect(lines).toEqual([]);
  });

  it('counts the request in the metrics', async () => {
    const metrics = new ProxyMetrics();
    record('/v1/chat/completions', 200, { backend: 'nv', model: 'm', frontEnd: 'openai_chat', usage: { promptTokens: 2, completionTokens: 3, totalTokens: 5 } }, metrics);
    const text = await metrics.registry.metrics();
    expect(text).toContain('nim_proxy_http_requests_total{route="/v1/chat/completions",method="POST",status="200"} 1');
    expect(text).toContain('nim_proxy_completion_tokens_total{backend="nv",model="m",front_end="openai_chat"} 3');
  });

  it('records a request once', () => {
    const outcome: RequestOutcome = { recorded: true };
    const request = { outcome, log: { info: () => expect.unreachable(), debug: () => expect.unreachable() } };
    recordRequest(request as unknown as FastifyRequest, {} as FastifyReply, 200, undefined);
  });
});
