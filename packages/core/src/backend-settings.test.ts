import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { backendSettingsSchema, secondsToMs } from './backend-settings.js';

const messages = (schema: z.ZodType, settings: unknown) => {
  const result = schema.safeParse(settings);
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
};

describe('backendSettingsSchema', () => {
  it('takes the common keys, every one optional', () => {
    const settings = {
      type: 'openai',
      api_url: 'https://example.com/v1',
      api_key: 'k',
      timeout: 0.5,
      connect_timeout: 3,
      models: ['a', 'b/c:d'],
      health_check: true,
    };
    expect(backendSettingsSchema.parse(settings)).toEqual(settings);
    expect(backendSettingsSchema.parse({ timeout: 2_147_483, rate_limit: { max_wait: 2_147_483 } })).toMatchObject({ timeout: 2_147_483 });
    expect(backendSettingsSchema.parse({})).toEqual({});
  });

  it.each([
    [{ type: '' }, 'type: expected a non-empty backend type'],
    [{ api_url: 'ftp://host' }, 'api_url: expected an http(s) URL'],
    [{ api_url: 'not a url' }, 'api_url: expected an http(s) URL'],
    [{ api_key: ['k'] }, 'api_key: expected a string'],
    [{ timeout: 'soon' }, 'timeout: expected a number of seconds'],
    [{ timeout: 0 }, 'timeout: expected a number of seconds (> 0)'],
    [{ connect_timeout: -1 }, 'connect_timeout: expected a number of seconds (> 0)'],
    [{ models: 'a' }, 'models: expected a list of model ids'],
    [{ models: [''] }, 'models.0: expected non-empty model ids'],
    [{ health_check: { path: '/health' } }, 'health_check: expected true or false'],
    // Node fires a longer timer after 1 ms: a timeout of 30 days would fail every call at once.
    [{ timeout: 30 * 86_400 }, 'timeout: expected at most 2147483 seconds (about 24 days, the longest timer Node keeps)'],
    [{ rate_limit: { max_wait: 2_147_484 } }, 'rate_limit.max_wait: expected at most 2147483 seconds (about 24 days, the longest timer Node keeps)'],
  ])('%j: %s', (settings, message) => {
    expect(messages(backendSettingsSchema, settings)).toEqual([message]);
  });

  it('refuses keys it does not list, so a typo is not a setting silently ignored', () => {
    expect(backendSettingsSchema.safeParse({ api_kye: 'k', timout: 3 }).error?.issues).toMatchObject([
      { code: 'unrecognized_keys', keys: ['api_kye', 'timout'], path: [] },
    ]);
  });

  it('is extended by a type with its own keys, or loosened by one that takes any', () => {
    const regional = backendSettingsSchema.extend({ region: z.enum(['eu', 'us']) });
    expect(regional.parse({ region: 'eu', timeout: 5 })).toEqual({ region: 'eu', timeout: 5 });
    expect(messages(regional, { timeout: 5 })).toHaveLength(1);
    expect(backendSettingsSchema.loose().parse({ anything: 1 })).toEqual({ anything: 1 });
  });
});

describe('secondsToMs', () => {
  it('converts, and leaves unset unset', () => {
    expect(secondsToMs(1.5)).toBe(1500);
    expect(secondsToMs(undefined)).toBeUndefined();
  });
});
