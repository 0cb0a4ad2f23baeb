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

/** The YAML file read, and what named it: `--config`, `PROXY_CONFIG`, or found as `./config.yaml`. */
export interface ConfigFile {
  path: string;
  source: 'flag' | 'env' | 'cwd';
}

export interface LoadedConfig {
  config: ResolvedProxyConfig;
  /** The YAML file read, if any. */
  configPath: string | undefined;
  /** The same, with what named it (the start-up line says when `./config.yaml` was picked up unasked). */
  configFile: ConfigFile | undefined;
}

/** Builds the configuration from its layers, CLI > ENV > YAML > defaults, and validates it once. */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const fromEnv = env.PROXY_CONFIG?.trim() || undefined;
  const configFile = findConfigFile(options.configPath, fromEnv, cwd);
  const yamlLayer = configFile === undefined ? {} : readYamlConfig(configFile.path);
  const merged = mergeLayers(yamlLayer, readEnvConfig(env), options.cli ?? {});
  return { config: resolveConfig(merged), configPath: configFile?.path, configFile };
}

/** An explicit path must exist (reading it reports the error); `./config.yaml` is used only when present. */
function findConfigFile(flag: string | undefined, fromEnv: string | undefined, cwd: string): ConfigFile | undefined {
  if (flag !== undefined) return { path: resolve(cwd, flag), source: 'flag' };
  if (fromEnv !== undefined) return { path: resolve(cwd, fromEnv), source: 'env' };
  const implicit = resolve(cwd, 'config.yaml');
  return existsSync(implicit) ? { path: implicit, source: 'cwd' } : undefined;
}
