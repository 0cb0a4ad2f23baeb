import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { readEnvConfig } from './env-config.js';
import { mergeLayers } from './merge-layers.js';
import { resolveConfig, type ResolvedProxyConfig } from './resolve-config.js';
import { readYamlConfig } from './yaml-config.js';

export interface LoadConfigOptions {
  /** The command line's layer (see parseCliArgs). */
  cli?: Record<string, unknown>;
  /** `--config`; wins over `PROXY_CONFIG` and `./config.yaml`. */
  configPath?: string | undefined;
  /** Defaults to `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Where `./config.yaml` is looked for. Defaults to `process.cwd()`. */
  cwd?: string;
}

export interface LoadedConfig {
  config: ResolvedProxyConfig;
  /** The YAML file read, if any. */
  configPath: string | undefined;
}

/** Builds the configuration from its layers, CLI > ENV > YAML > defaults, and validates it once. */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const configPath = findConfigFile(options.configPath ?? (env.PROXY_CONFIG?.trim() || undefined), cwd);
  const yamlLayer = configPath === undefined ? {} : readYamlConfig(configPath);
  const merged = mergeLayers(yamlLayer, readEnvConfig(env), options.cli ?? {});
  return { config: resolveConfig(merged), configPath };
}

/** An explicit path must exist (reading it reports the error); `./config.yaml` is used only when present. */
function findConfigFile(explicit: string | undefined, cwd: string): string | undefined {
  if (explicit !== undefined) return resolve(cwd, explicit);
  const implicit = resolve(cwd, 'config.yaml');
  return existsSync(implicit) ? implicit : undefined;
}
