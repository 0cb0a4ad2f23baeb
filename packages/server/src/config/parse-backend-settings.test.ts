import { backendSettingsSchema, openaiBackend, type BackendDefinition, type Connector } from '@proxy/core';
import { nvidiaBackend } from '@proxy/nvidia';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseBackendSettings } from './parse-backend-settings.js';

const notBuilt = (): Connector => {
  throw new Error('not built in these tests');
};

/** A third-party type with a nested mapping, a list of mappings and a refinement. */
const edgeSettings = backendSettingsSchema
  .extend({
    region: z.enum(['eu', 'us'], { error: "expected 'eu' or 'us'" }),
    limits: z.strictObject({ requests_per_minute: z.number({ error: 'expected a number' }), burst: z.number().optional() }).optional(),
    fallbacks: z.array(z.strictObject({ api_url: z.url(), weight: z.number().optional() })).optional(),
  })
  .refine((settings) => settings.region !== 'us' || settings.api_key !== undefined, { error: "expected an api_key in region 'us'", path: ['api_key'] });
const edgeBackend: BackendDefinition<z.output<typeof edgeSettings>> = { type: 'edge', settings: edgeSettings, create: notBuilt };

const problems = (definition: BackendDefinition<object>, settings: Record<string, unknown>, name = 'b') => {
  const parsed = parseBackendSettings({ name, type: definition.type, ...settings }, definition);
  return parsed.ok ? [] : parsed.problems;
};

describe('parseBackendSettings', () => {
  it('hands the definition its settings as validated, with the name and type the server decided', () => {
    const parsed = parseBackendSettings({ name: 'nim', type: 'nvidia', timeout: 900, models: ['a/b'] }, nvidiaBackend);
    expect(parsed).toEqual({ ok: true, config: { name: 'nim', type: 'nvidia', timeout: 900, models: ['a/b'] }, serving: { modelsRefreshMs: 600_000, apiKeyEnv: undefined } });
  });

  it('names the full key path of a typo, and the key it most likely meant', () => {
    expect(problems(nvidiaBackend, { api_kye: 'nvapi-x' }, 'nvidia')).toEqual(["backends.nvidia.api_kye: unknown setting; did you mean 'api_key'?"]);
    expect(problems(openaiBackend, { api_url: 'http://h/v1', timout: 30, tpye: 'openai' }, 'local')).toEqual([
      "backends.local.timout: unknown setting; did you mean 'timeout'?",
      "backends.local.tpye: unknown setting; did you mean 'type'?",
    ]);
  });

  it("lists the keys a type takes, and the server's own, when no key is near", () => {
    const small: BackendDefinition<{ region?: string }> = { type: 'small', settings: z.strictObject({ region: z.string().optional() }), create: notBuilt };
    expect(problems(small, { custom_setting: 42 })).toEqual([
      'backends.b.custom_setting: unknown setting (expected one of type, region, api_key_env, models_refresh)',
    ]);
  });

  it('reads the keys the server owns for every type: models_refresh, and api_key from api_key_env', () => {
    const small: BackendDefinition<{ api_key?: string }> = { type: 'small', settings: z.strictObject({ api_key: z.string().optional() }), create: notBuilt };
    expect(parseBackendSettings({ name: 's', type: 'small', api_key_env: 'S_KEY', models_refresh: 0 }, small, { S_KEY: ' k1 ' })).toEqual({
      ok: true,
      config: { name: 's', type: 'small', api_key: 'k1' },
      serving: { modelsRefreshMs: 0, apiKeyEnv: 'S_KEY' },
    });
    expect(problems(small, { models_refresh: 'often', api_key_env: 'S_KEY' })).toEqual([
      'backends.b.models_refresh: expected a number of seconds',
      'backends.b.api_key_env: the environment variable S_KEY is not set (or empty)',
    ]);
    // A longer timer would fire after 1 ms: the catalog read again on every tick of the loop.
    expect(problems(small, { models_refresh: 30 * 86_400 })).toEqual([
      'backends.b.models_refresh: expected at most 2147483 seconds (about 24 days, the longest timer Node keeps)',
    ]);
  });

  it('says what was expected of a value of the wrong type, nested ones included', () => {
    expect(problems(nvidiaBackend, { timeout: 'soon', models: ['a', 7], health_check: { path: '/' } })).toEqual([
      'backends.b.timeout: expected a number of seconds',
      'backends.b.models[1]: expected a model id (a string)',
      'backends.b.health_check: expected true or false',
    ]);
    expect(problems(openaiBackend, {})).toEqual(["backends.b.api_url: required for a backend of type 'openai' (the upstream's OpenAI-compatible base URL)"]);
  });

  it("validates a third-party type by its own schema, nested keys and refinements included", () => {
    expect(problems(edgeBackend, { region: 'eu', limits: { requests_per_minute: 60 } })).toEqual([]);
    expect(problems(edgeBackend, { region: 'mars' })).toEqual(["backends.b.region: expected 'eu' or 'us'"]);
    expect(problems(edgeBackend, { region: 'eu', limits: { requests_per_minite: 60 } })).toEqual([
      'backends.b.limits.requests_per_minute: expected a number',
      "backends.b.limits.requests_per_minite: unknown setting; did you mean 'requests_per_minute'?",
    ]);
    expect(problems(edgeBackend, { region: 'eu', fallbacks: [{ api_url: 'http://h/v1', wieght: 2 }] })).toEqual([
      "backends.b.fallbacks[0].wieght: unknown setting; did you mean 'weight'?",
    ]);
    expect(problems(edgeBackend, { region: 'us' })).toEqual(["backends.b.api_key: expected an api_key in region 'us'"]);
  });

  it('lets a type whose schema says so take keys it does not list', () => {
    const open: BackendDefinition<z.output<ReturnType<typeof backendSettingsSchema.loose>>> = {
      type: 'open',
      settings: backendSettingsSchema.loose(),
      create: notBuilt,
    };
    expect(parseBackendSettings({ name: 'o', type: 'open', anything: { goes: true } }, open)).toEqual({
      ok: true,
      config: { name: 'o', type: 'open', anything: { goes: true } },
      serving: { modelsRefreshMs: 600_000, apiKeyEnv: undefined },
    });
  });

  it('gives the schema neither name nor type, so a schema that lists neither still validates', () => {
    const bare: BackendDefinition<{ region: string }> = {
      type: 'bare',
      settings: z.strictObject({ region: z.string() }),
      create: notBuilt,
    };
    expect(parseBackendSettings({ name: 'x', type: 'bare', region: 'eu' }, bare)).toEqual({
      ok: true,
      config: { name: 'x', type: 'bare', region: 'eu' },
      serving: { modelsRefreshMs: 600_000, apiKeyEnv: undefined },
    });
    expect(problems(bare, { region: 'eu', tpye: 'bare' })).toEqual(["backends.b.tpye: unknown setting; did you mean 'type'?"]);
  });
});
