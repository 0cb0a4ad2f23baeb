import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '../cli/parse-cli-args.js';
import { ConfigError } from '../config/config-error.js';
import { readEnvConfig } from '../config/env-config.js';
import { resolveConfig } from '../config/resolve-config.js';

describe('failure_handling retry settings', () => {
  it('default to 2 retries, 0.5 s base and 8 s cap', () => {
    expect(resolveConfig({}).failure_handling).toMatchObject({ max_retries: 2, retry_base_delay: 0.5, retry_max_delay: 8 });
  });

  it('are read from the environment and the CLI', () => {
    const env = readEnvConfig({ FAILURE_HANDLING_MAX_RETRIES: '0', FAILURE_HANDLING_RETRY_BASE_DELAY: '0.1', FAILURE_HANDLING_RETRY_MAX_DELAY: '2' });
    expect(resolveConfig(env).failure_handling).toMatchObject({ max_retries: 0, retry_base_delay: 0.1, retry_max_delay: 2 });
    expect(parseCliArgs(['--max-retries', '5']).layer).toEqual({ failure_handling: { max_retries: 5 } });
  });

  it.each([
    [{ max_retries: -1 }, /max_retries/],
    [{ max_retries: 1.5 }, /max_retries/],
    [{ max_retries: 11 }, /max_retries/],
    [{ retry_base_delay: -0.5 }, /retry_base_delay/],
    [{ retry_base_delay: 4, retry_max_delay: 2 }, /retry_max_delay/],
  ])('reject %j', (failureHandling, message) => {
    expect(() => resolveConfig({ failure_handling: failureHandling })).toThrow(ConfigError);
    expect(() => resolveConfig({ failure_handling: failureHandling })).toThrow(message);
  });
});
