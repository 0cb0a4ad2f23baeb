import { describe, expect, it } from 'vitest';
import { MAX_UPSTREAM_BODY_LIMIT } from './config-schema.js';
import { resolveConfig } from './resolve-config.js';

describe('upstream_body_limit', () => {
  it('takes a size up to 256 MiB and refuses more, since an answer is read into one string', () => {
    expect(resolveConfig({ upstream_body_limit: MAX_UPSTREAM_BODY_LIMIT }).upstream_body_limit).toBe(268_435_456);
    expect(() => resolveConfig({ upstream_body_limit: 1024 ** 3 })).toThrow(/upstream_body_limit: expected at most 268435456 bytes/);
  });
});
