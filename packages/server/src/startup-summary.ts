import type { FastifyBaseLogger } from 'fastify';
import type { BackendSummary } from './backends/backend-set.js';
import type { ConfigFile } from './config/load-config.js';
import type { ResolvedProxyConfig } from './config/resolve-config.js';
import { SERVER_VERSION } from './version.js';

export interface StartupFacts {
  config: ResolvedProxyConfig;
  url: string;
  /** The YAML file read, and why; undefined when none was. */
  configFile: ConfigFile | undefined;
  backends: readonly BackendSummary[];
}

const SOURCES: Record<ConfigFile['source'], string> = {
  flag: '--config',
  env: 'PROXY_CONFIG',
  cwd: 'found in the working directory',
};

/**
 * The one line that says what start-up did — version, configuration file (a `./config.yaml` picked up from the
 * working directory says so), backends with their model counts, proxy keys, listen address — and a warning for
 * each backend that will refuse every completion for want of an upstream key, so the first request is not where
 * an operator learns it. Key counts only, never a key.
 */
export function logStartup(log: FastifyBaseLogger, facts: StartupFacts): void {
  const { config, url, configFile, backends } = facts;
  const keys = config.auth.disabled ? 'authentication disabled' : `${config.auth.api_keys.length} proxy key${config.auth.api_keys.length === 1 ? '' : 's'}`;
  const file = configFile ? `config ${configFile.path} (${SOURCES[configFile.source]})` : 'no config file';
  const listed = backends
    .map((backend) => `${backend.name} (${backend.type}, ${describeCatalog(backend)}${backend.upstream_proxy ? `, through ${backend.upstream_proxy}` : ''})`)
    .join(', ');
  log.info(
    {
      version: SERVER_VERSION,
      config_file: configFile?.path ?? null,
      ...(configFile ? { config_source: configFile.source } : {}),
      backends: backends.map(({ name, type, models, catalog_failing, has_api_key, keyless_ok, api_key_env, upstream_proxy }) => ({
        name,
        type,
        models,
        ...(catalog_failing ? { catalog: 'retrying' } : {}),
        ...(upstream_proxy === undefined ? {} : { upstream_proxy }),
        ...(has_api_key === undefined ? {} : { upstream_key: has_api_key ? (api_key_env ? `from ${api_key_env}` : 'set') : keyless_ok ? 'none (keyless upstream)' : 'missing' }),
      })),
      default_backend: config.default_backend,
      proxy_keys: config.auth.disabled ? 0 : config.auth.api_keys.length,
      auth_disabled: config.auth.disabled,
      listen: url,
    },
    `nim-proxy ${SERVER_VERSION} listening on ${url}: ${file}; backends ${listed}; ${keys}`,
  );
  for (const backend of backends) {
    if (backend.has_api_key !== false || backend.keyless_ok) continue;
    const where = backend.type === 'nvidia' ? 'NVIDIA_API_KEY, ' : '';
    log.warn(
      { backend: backend.name, type: backend.type },
      `backend ${backend.name} has no upstream key: its completions will answer 503 upstream_api_key_missing until ` +
        `${where}backends.${backend.name}.api_key or backends.${backend.name}.api_key_env is set`,
    );
  }
}

function describeCatalog(backend: BackendSummary): string {
  const models = `${backend.models} model${backend.models === 1 ? '' : 's'}`;
  return backend.catalog_failing ? `${models}, catalog unavailable, retrying` : models;
}
