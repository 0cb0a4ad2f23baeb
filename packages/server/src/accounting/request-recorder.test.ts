import { ProxyError } from '@proxy/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { formatFields, type RequestLineFields } from './request-line.js';
import type { RequestOutcome } from './request-outcome.js';
import { recordRequest } from './request-recorder.js';

function record(url: string | undefined, status: number, outcome: RequestOutcome | null): { level: string; line: string } {
  const lines: { level: string; line: string }[] = [];
  // The line goes to the server's line writer with the id first, as the request's child logger would write it.
  const requestLines = { write: (level: string, fields: RequestLineFields) => lines.push({ level, line: `{${formatFields(fields)},"msg":"request completed"}` }) };
  const request = { id: 'r1', outcome, method: 'POST', routeOptions: { url }, server: { requestLines } };
  recordRequest(request as unknown as FastifyRequest, { elapsedTime: 12.345 } as FastifyReply, status, undefined);
  expect(lines).toHaveLength(1);
  return lines[0]!;
}

describe('recordRequest log line', () => {
  it('has the request fields in order, and nothing routed when the request was not', () => {
    expect(record(undefined, 404, null)).toEqual({
      level: 'info',
      line: '{"request_id":"r1","method":"POST","route":"unmatched","status":404,"latency_ms":12.3,"msg":"request completed"}',
    });
  });

  it('adds backend, model, stream and usage once routed, in that order', () => {
    const outcome: RequestOutcome = { backend: 'nv', model: 'meta/llama3-70b', usage: { promptTokens: 11, completionTokens: 4, totalTokens: 15 } };
    expect(record('/v1/chat/completions', 200, outcome).line).toBe(
      '{"request_id":"r1","method":"POST","route":"/v1/chat/completions","status":200,"latency_ms":12.3,"backend":"nv","model":"meta/llama3-70b",' +
        '"stream":false,"prompt_tokens":11,"completion_tokens":4,"total_tokens":15,"msg":"request completed"}',
    );
    expect(outcome.recorded).toBe(true);
  });

  it('adds the error type and code (never the message), routed or not', () => {
    const error = new ProxyError({ status: 422, message: 'echoes the body: secret', code: null });
    expect(record('/v1/chat/completions', 422, { backend: 'nv', model: 'm', stream: true, error }).line).toBe(
      '{"request_id":"r1","method":"POST","route":"/v1/chat/completions","status":422,"latency_ms":12.3,"backend":"nv","model":"m","stream":true,' +
        '"error_type":"invalid_request_error","error_code":null,"msg":"request completed"}',
    );
    const unrouted = new ProxyError({ status: 401, message: 'no key', code: 'missing_api_key' });
    expect(record('/v1/models', 401, { error: unrouted }).line).toBe(
      '{"request_id":"r1","method":"POST","route":"/v1/models","status":401,"latency_ms":12.3,"error_type":"authentication_error","error_code":"missing_api_key","msg":"request completed"}',
    );
  });

  it('logs probes at debug unless they failed', () => {
    expect(record('/healthz', 200, null).level).toBe('debug');
    expect(record('/metrics', 200, null).level).toBe('debug');
    expect(record('/metrics', 401, null).level).toBe('info');
    expect(record('/v1/models', 200, null).level).toBe('info');
  });

  it('records a request once', () => {
    const outcome: RequestOutcome = { recorded: true };
    const request = { outcome, server: { requestLines: { write: () => expect.unreachable() } } };
    recordRequest(request as unknown as FastifyRequest, {} as FastifyReply, 200, undefined);
  });
});
