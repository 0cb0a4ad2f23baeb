import { ProxyError } from '@proxy/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { describe, expect, it, vi } from 'vitest';
import { ApiKeyVerifier } from './api-key-verifier.js';
import { BEARER_KEY, bearerAuthAsyncHook, bearerToken } from './bearer-auth.js';
import { requireProxyKey } from './require-proxy-key.js';

describe('bearerToken edge cases', () => {
  it.each([
    ['Bearer sk-1', 'sk-1'],
    ['BeArEr sk-1', 'sk-1'],
    ['\tBearer\tsk-1\t', 'sk-1'],
    ['Bearer \u00a0sk-1\u3000', 'sk-1'],
    ['Bearer  ', undefined],
    ['Bearer\u00a0', undefined],
    ['Bearersk-1', undefined],
    ['xBearer sk-1', undefined],
    ['Bearer sk-1\tsk-2', undefined],
    ['Bearer: sk-1', undefined],
    ['Beare sk-1', undefined],
    ['', undefined],
  ])('%j → %j', (header, token) => {
    expect(bearerToken(header)).toBe(token);
  });
});

const verifier = new ApiKeyVerifier(['good-key']);
const request = (authorization?: string) => ({ headers: authorization === undefined ? {} : { authorization } }) as FastifyRequest;
const reply = {} as FastifyReply;
const app = {} as FastifyInstance;

function runHook(authorization?: string): unknown[] {
  const done = vi.fn();
  requireProxyKey(verifier, BEARER_KEY).call(app, request(authorization), reply, done);
  expect(done).toHaveBeenCalledTimes(1); // synchronously, once
  return done.mock.calls[0]!;
}

describe('requireProxyKey with the Bearer reader', () => {
  it('passes a request with a configured key', () => {
    expect(runHook('Bearer good-key')).toEqual([undefined]);
  });

  it.each([
    [undefined, 'missing_api_key'],
    ['Basic good-key', 'missing_api_key'],
    ['Bearer bad-key', 'invalid_api_key'],
  ])('answers %j with a 401 %s and a Bearer challenge', (header, code) => {
    const [error] = runHook(header);
    expect(ProxyError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ status: 401, code, headers: { 'www-authenticate': 'Bearer' } });
  });

  it('rejects exactly as the async form does', async () => {
    const asyncHook = bearerAuthAsyncHook(verifier);
    await expect(asyncHook.call(app, request('Bearer good-key'), reply)).resolves.toBeUndefined();
    for (const header of [undefined, 'Bearer bad-key']) {
      const [error] = runHook(header);
      await expect(asyncHook.call(app, request(header), reply)).rejects.toEqual(error);
    }
  });
});
