import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '../cli/parse-cli-args.js';
import { ConfigError } from './config-error.js';
import { loadConfig } from './load-config.js';

function dirWithConfig(yaml: string | undefined): string {
  const dir = mkdtempSync(join(tmpdir(), 'nim-proxy-config-'));
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

  it('passes every backend key through, types defaulting to the name', () => {
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
      [{ argv: ['--keepalive-format', 'xml'] }, "failure_handling.keepalive_format: expected 'openai' or 'comment'"],
      [{ env: { LOG_LEVEL: 'loud' } }, 'logging.level: expected one of fatal, error, warn, info, debug, trace, silent'],
      [{ env: { PROXY_METRICS_ENABLED: 'maybe' } }, 'metrics.enabled: expected true or false'],
      [{ yaml: 'backends:\n  x:\n    timeout: soon\n' }, 'backends.x.timeout: expected a number of seconds'],
      [{ yaml: 'backends:\n  x:\n    api_url: ftp://host\n' }, 'backends.x.api_url: expected an http(s) URL'],
      [{ yaml: 'keepalive_interval: 3\n' }, 'Invalid configuration: keepalive_interval: unknown key'],
      [{ yaml: 'failure_handling:\n  keepalive_intervall: 3\n' }, 'failure_handling.keepalive_intervall: unknown key'],
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
});
