import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { backendSettingsSchema, openaiBackend, type BackendConfig, type BackendDefinition } from '@proxy/core';
import type { NvidiaConnector } from '@proxy/nvidia';
import { MockAgent } from 'undici';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { tempDir } from '../../test/support/temp-dir.js';
import { BackendRegistry, BUILTIN_BACKENDS } from '../backends/backend-registry.js';
import { BackendSet } from '../backends/backend-set.js';
import { buildServer, type BuildServerOptions } from '../build-server.js';
import { parseCliArgs } from '../cli/parse-cli-args.js';
import { ConfigError } from './config-error.js';
import { loadConfig } from './load-config.js';

function dirWithConfig(yaml: string | undefined): string {
  const dir = tempDir('nim-proxy-config-');
  if (yaml !== undefined) writeFileSync(join(dir, 'config.yaml'), yaml);
  return dir;
}

const load = (options: { yaml?: string; env?: Record<string, string>; argv?: string[] }) => {
  const args = parseCliArgs(options.argv ?? []);
  return loadConfig({ cwd: dirWithConfig(options.yaml), env: options.env ?? {}, cli: args.layer, configPath: args.configPath }).config;
};

describe('loadConfig', () => {
  it('fills every default, and configures nvidia when no backend is', () => {
    const config = load({});
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 8000,
      auth: { api_keys: [], disabled: false },
      failure_handling: { keepalive_interval: 8, keepalive_format: 'openai' },
      body_limit: 20 * 1024 * 1024,
      logging: { level: 'info' },
      metrics: { enabled: true, require_auth: false },
      shutdown_grace_period: 30,
      default_backend: 'nvidia',
    });
    expect(config.force_model).toBeUndefined();
    expect(config.backends).toEqual([{ name: 'nvidia', type: 'nvidia' }]);
  });

  it('layers CLI > ENV > YAML > defaults', () => {
    const yaml = 'port: 9000\nhost: 0.0.0.0\nforce_model: yaml-model\nfailure_handling:\n  keepalive_interval: 3\n  keepalive_format: comment\nlogging:\n  level: warn\n';
    const fromYaml = load({ yaml });
    expect(fromYaml).toMatchObject({ port: 9000, host: '0.0.0.0', force_model: 'yaml-model', logging: { level: 'warn' } });
    expect(fromYaml.failure_handling).toMatchObject({ keepalive_interval: 3, keepalive_format: 'comment' });

    const env = { PROXY_PORT: '9100', FAILURE_HANDLING_KEEPALIVE_INTERVAL: '5', LOG_LEVEL: 'DEBUG', FORCE_MODEL: 'env-model' };
    const fromEnv = load({ yaml, env });
    expect(fromEnv).toMatchObject({ port: 9100, host: '0.0.0.0', force_model: 'env-model', logging: { level: 'debug' } });
    // The env set one key of failure_handling; the YAML's other key stays.
    expect(fromEnv.failure_handling).toMatchObject({ keepalive_interval: 5, keepalive_format: 'comment' });

    const fromCli = load({ yaml, env, argv: ['--port', '9200', '--keepalive-interval', '0', '--force-model', 'cli-model', '--log-level', 'error'] });
    expect(fromCli).toMatchObject({ port: 9200, force_model: 'cli-model', logging: { level: 'error' } });
    expect(fromCli.failure_handling.keepalive_interval).toBe(0);
  });

  it('reads proxy keys from PROXY_API_KEYS, comma-separated, replacing the YAML list', () => {
    const config = load({ yaml: 'auth:\n  api_keys: [from-yaml]\n', env: { PROXY_API_KEYS: ' a, b ,,c ' } });
    expect(config.auth.api_keys).toEqual(['a', 'b', 'c']);
  });

  it('turns auth off with --disable-auth or PROXY_DISABLE_AUTH', () => {
    expect(load({ argv: ['--disable-auth'] }).auth.disabled).toBe(true);
    expect(load({ env: { PROXY_DISABLE_AUTH: 'true' } }).auth.disabled).toBe(true);
  });

  it("leaves a backend's keys to its type (checked when the server starts), types defaulting to the name", () => {
    const yaml = [
      'default_backend: local',
      'backends:',
      '  nvidia:',
      '    timeout: 120',
      '    connect_timeout: 5',
      '    health_check: true',
      '  local:',
      '    type: openai',
      '    api_url: http://127.0.0.1:9999/v1',
      '    models: [a, b/c]',
      '    custom_setting: 42',
    ].join('\n');
    const config = load({ yaml });
    expect(config.default_backend).toBe('local');
    expect(config.backends).toEqual([
      { name: 'nvidia', type: 'nvidia', timeout: 120, connect_timeout: 5, health_check: true },
      { name: 'local', type: 'openai', api_url: 'http://127.0.0.1:9999/v1', models: ['a', 'b/c'], custom_setting: 42 },
    ]);
  });

  it('uses --config over PROXY_CONFIG over ./config.yaml', () => {
    const dir = dirWithConfig('port: 1001\n');
    writeFileSync(join(dir, 'env.yaml'), 'port: 1002\n');
    writeFileSync(join(dir, 'cli.yaml'), 'port: 1003\n');
    expect(loadConfig({ cwd: dir, env: {} }).config.port).toBe(1001);
    expect(loadConfig({ cwd: dir, env: { PROXY_CONFIG: 'env.yaml' } }).config.port).toBe(1002);
    const loaded = loadConfig({ cwd: dir, env: { PROXY_CONFIG: 'env.yaml' }, configPath: 'cli.yaml' });
    expect(loaded.config.port).toBe(1003);
    expect(loaded.configPath).toBe(join(dir, 'cli.yaml'));
  });

  it('accepts config/config.example.yaml as shipped', () => {
    const example = fileURLToPath(new URL('../../../../config/config.example.yaml', import.meta.url));
    const { config } = loadConfig({ env: {}, configPath: example });
    expect(config.backends).toEqual([{ name: 'nvidia', type: 'nvidia', timeout: 120 }]);
    expect(config.port).toBe(8000);
  });

  it('treats a YAML key without a value as unset', () => {
    const config = load({ yaml: 'force_model:\nport:\n' });
    expect(config.port).toBe(8000);
    expect(config.force_model).toBeUndefined();
  });

  describe('invalid values stop start-up with the key path and the reason', () => {
    const message = (options: Parameters<typeof load>[0]) => {
      try {
        load(options);
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as Error).message;
      }
      throw new Error('expected a ConfigError');
    };

    it.each([
      [{ env: { PROXY_PORT: 'eighty' } }, 'Invalid configuration: port: expected a number between 0 and 65535'],
      [{ argv: ['--port', '70000'] }, 'Invalid configuration: port: expected a number between 0 and 65535'],
      [{ env: { FAILURE_HANDLING_KEEPALIVE_INTERVAL: '-1' } }, 'failure_handling.keepalive_interval: expected an interval in seconds (>= 0)'],
      // Node fires a timer longer than 2^31 - 1 ms after 1 ms: a keep-alive every millisecond.
      [{ env: { FAILURE_HANDLING_KEEPALIVE_INTERVAL: '2147484' } }, 'failure_handling.keepalive_interval: expected at most 2147483 seconds (about 24 days'],
      [{ yaml: 'shutdown_grace_period: 3000000\n' }, 'shutdown_grace_period: expected at most 2147483 seconds'],
      [{ argv: ['--keepalive-format', 'xml'] }, "failure_handling.keepalive_format: expected 'openai' or 'comment'"],
      [{ env: { LOG_LEVEL: 'loud' } }, 'logging.level: expected one of fatal, error, warn, info, debug, trace, silent'],
      [{ env: { PROXY_METRICS_ENABLED: 'maybe' } }, 'metrics.enabled: expected true or false'],
      [{ yaml: 'backends:\n  x: 42\n' }, 'backends.x: expected a mapping of backend settings'],
      [{ yaml: 'backends:\n  x:\n    type: ""\n' }, 'backends.x.type: expected a non-empty backend type'],
      [{ yaml: 'keepalive_interval: 3\n' }, 'Invalid configuration: keepalive_interval: unknown key'],
      [{ yaml: 'failure_handling:\n  keepalive_intervall: 3\n' }, 'failure_handling.keepalive_intervall: unknown key'],
      // A typo names the key it most likely meant, as a backend's settings do.
      [{ yaml: 'loging:\n  level: debug\n' }, "loging: unknown key; did you mean 'logging'?"],
      [{ yaml: 'failure_handling:\n  keepalive_intervall: 3\n' }, "keepalive_intervall: unknown key; did you mean 'keepalive_interval'?"],
      [{ yaml: 'metrics:\n  require_aut: true\n' }, "metrics.require_aut: unknown key; did you mean 'require_auth'?"],
      [{ argv: ['--default-backend', 'nope'] }, "default_backend: 'nope' is not a configured backend (configured: nvidia)"],
      [{ yaml: 'backends:\n  "a:b": {}\n' }, "backends.a:b: a backend name cannot contain ':'"],
    ])('%j', (options, expected) => {
      expect(message(options)).toContain(expected);
    });

    it('reports an unreadable file and bad YAML', () => {
      expect(() => loadConfig({ env: {}, configPath: '/nonexistent/nim-proxy.yaml' })).toThrow(
        'Cannot read the configuration file /nonexistent/nim-proxy.yaml: ENOENT',
      );
      expect(message({ yaml: 'port: [1, 2\n' })).toMatch(/is not valid YAML/);
      expect(message({ yaml: '- a\n- b\n' })).toMatch(/must hold a mapping/);
    });
  });

  describe("a backend's settings are checked by its type's schema when the server starts", () => {
    const startUp = (options: Parameters<typeof load>[0], buildOptions: BuildServerOptions = {}) => {
      const env = { PROXY_API_KEYS: 'proxy-key', ...options.env };
      return buildServer(load({ ...options, env }), { env, ...buildOptions });
    };
    const startUpMessage = (options: Parameters<typeof load>[0], buildOptions?: BuildServerOptions) => {
      try {
        void startUp(options, buildOptions).close();
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as Error).message;
      }
      throw new Error('expected a ConfigError');
    };

    it.each([
      ['backends:\n  nvidia:\n    api_kye: nvapi-x\n', "Invalid configuration: backends.nvidia.api_kye: unknown setting; did you mean 'api_key'?"],
      ['backends:\n  local:\n    type: openai\n    api_url: http://h/v1\n    timout: 30\n', "backends.local.timout: unknown setting; did you mean 'timeout'?"],
      ['backends:\n  local:\n    type: openai\n    api_url: http://h/v1\n    custom_setting: 42\n', 'backends.local.custom_setting: unknown setting (expected one of type, api_url,'],
      ['backends:\n  nvidia:\n    timeout: soon\n', 'backends.nvidia.timeout: expected a number of seconds'],
      ['backends:\n  nvidia:\n    models: [a, 7]\n', 'backends.nvidia.models[1]: expected a model id (a string)'],
      ['backends:\n  nvidia:\n    health_check:\n      path: /health\n', 'backends.nvidia.health_check: expected true or false'],
      ['backends:\n  local:\n    type: openai\n    api_url: ftp://host\n', 'backends.local.api_url: expected an http(s) URL'],
      ['backends:\n  local:\n    type: openai\n', "backends.local.api_url: required for a backend of type 'openai'"],
      ['backends:\n  x:\n    timeout: 3\n', "Invalid configuration: backends.x.type: unknown backend type 'x' (known: openai, nvidia)"],
    ])('%j', (yaml, expected) => {
      expect(startUpMessage({ yaml })).toContain(expected);
    });

    it('lists every problem of every backend in one message', () => {
      const yaml = 'backends:\n  nvidia:\n    api_kye: k\n    timeout: -1\n  local:\n    type: openai\n    api_url: http://h/v1\n    modles: [m]\n';
      expect(startUpMessage({ yaml })).toBe(
        'Invalid configuration: backends.nvidia.timeout: expected a number of seconds (> 0); ' +
          "backends.nvidia.api_kye: unknown setting; did you mean 'api_key'?; " +
          "backends.local.modles: unknown setting; did you mean 'models'?",
      );
    });

    it('counts a backend of an unknown type as one problem among the others', () => {
      const yaml = 'backends:\n  nvidia:\n    timeout: -1\n  mystery:\n    type: vllm\n    api_url: http://h/v1\n';
      expect(startUpMessage({ yaml })).toBe(
        'Invalid configuration: backends.nvidia.timeout: expected a number of seconds (> 0); ' +
          "backends.mystery.type: unknown backend type 'vllm' (known: openai, nvidia)",
      );
    });

    it('still merges the layers: NVIDIA_API_KEY from the environment, flags over YAML', async () => {
      const agent = new MockAgent();
      agent.disableNetConnect();
      const pool = agent.get('http://nim.internal:8000');
      pool
        .intercept({ path: '/v1/chat/completions', method: 'POST', headers: { authorization: 'Bearer nvapi-from-env' } })
        .reply(200, { id: 'c', object: 'chat.completion', choices: [] }, { headers: { 'content-type': 'application/json' } });
      const yaml = 'backends:\n  nvidia:\n    api_url: http://nim.internal:8000/v1\n    timeout: 900\n    health_check: false\n';
      const config = load({ yaml, env: { NVIDIA_API_KEY: 'nvapi-from-env' }, argv: ['--default-backend', 'nvidia'] });
      expect(config.default_backend).toBe('nvidia');
      const backends = new BackendSet(config, new BackendRegistry(BUILTIN_BACKENDS), { env: { NVIDIA_API_KEY: 'nvapi-from-env' }, dispatcher: agent }, []);
      try {
        const nvidia = backends.get('nvidia') as NvidiaConnector;
        expect(nvidia.timeouts.headersMs).toBe(900_000);
        await nvidia.chatCompletion({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
        agent.assertNoPendingInterceptors();
      } finally {
        await backends.close();
        await agent.close();
      }
    });

    it("checks a third-party type's settings with its own schema, which may take keys it does not list", async () => {
      const created: BackendConfig<object>[] = [];
      const edge: BackendDefinition<z.output<typeof edgeSettings>> = {
        type: 'edge',
        settings: edgeSettings,
        create(config, context) {
          created.push(config);
          return openaiBackend.create({ name: config.name, type: 'openai', api_url: 'http://127.0.0.1:9/v1' }, context);
        },
      };
      const open: BackendDefinition<Record<string, unknown>> = {
        type: 'open',
        settings: z.looseObject({}),
        create(config, context) {
          created.push(config);
          return openaiBackend.create({ name: config.name, type: 'openai', api_url: 'http://127.0.0.1:9/v1' }, context);
        },
      };
      const yaml = 'backends:\n  a:\n    type: edge\n    region: eu\n  b:\n    type: open\n    whatever: [1, 2]\n';
      await startUp({ yaml }, { backends: [edge, open] }).close();
      expect(created).toEqual([
        { name: 'a', type: 'edge', region: 'eu' },
        { name: 'b', type: 'open', whatever: [1, 2] },
      ]);
      expect(startUpMessage({ yaml: 'backends:\n  a:\n    type: edge\n    regoin: eu\n' }, { backends: [edge] })).toBe(
        "Invalid configuration: backends.a.region: expected 'eu' or 'us'; backends.a.regoin: unknown setting; did you mean 'region'?",
      );
    });
  });
});

const edgeSettings = backendSettingsSchema.extend({ region: z.enum(['eu', 'us'], { error: "expected 'eu' or 'us'" }) });
