import { ProxyError } from '@proxy/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { describe, expect, it, vi } from 'vitest';
import { ApiKeyVerifier } from '../../auth/api-key-verifier.js';
import { requireProxyKey } from '../../auth/require-proxy-key.js';
import { ANTHROPIC_API_KEY_HINT, readAnthropicApiKey } from './read-api-key.js';

const verifier = new ApiKeyVerifier(['proxy-key']);

/** What the proxy's key check answers a request with these headers: undefined when it passes. */
function check(headers: Record<string, string>): unknown {
  const done = vi.fn();
  const hook = requireProxyKey(verifier, { readApiKey: readAnthropicApiKey, apiKeyHint: ANTHROPIC_API_KEY_HINT });
  hook.call({} as FastifyInstance, { headers } as FastifyRequest, {} as FastifyReply, done);
  return done.mock.calls[0]![0];
}

describe("the proxy key as Anthropic's clients send it", () => {
  it('is taken from x-api-key or Authorization: Bearer', () => {
    expect(check({ 'x-api-key': 'proxy-key' })).toBeUndefined();
    expect(check({ authorization: 'Bearer proxy-key' })).toBeUndefined();
    expect(check({})).toMatchObject({ status: 401, code: 'missing_api_key' });
    expect(check({ 'x-api-key': 'other' })).toMatchObject({ status: 401, code: 'invalid_api_key' });
  });

  it('passes when either header holds it: Claude Code sends both when ANTHROPIC_API_KEY and ANTHROPIC_AUTH_TOKEN are set', () => {
    // A shell that exports an Anthropic key for Anthropic itself, and the proxy's key as the gateway token.
    expect(check({ 'x-api-key': 'sk-ant-api03-elsewhere', authorization: 'Bearer proxy-key' })).toBeUndefined();
    expect(check({ 'x-api-key': 'proxy-key', authorization: 'Bearer sk-ant-oat01-elsewhere' })).toBeUndefined();
    const refused = check({ 'x-api-key': 'one', authorization: 'Bearer two' });
    expect(ProxyError.isInstance(refused)).toBe(true);
    expect(refused).toMatchObject({ status: 401, code: 'invalid_api_key' });
  });
});
