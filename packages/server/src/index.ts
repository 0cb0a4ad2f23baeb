export { buildServer, type BuildServerOptions } from './build-server.js';
export { startServer, type RunningServer } from './start-server.js';
export { closeGracefully } from './close-gracefully.js';
export { BUILTIN_BACKENDS } from './backends/backend-registry.js';
export { ConfigError } from './config/config-error.js';
export {
  DEFAULT_BODY_LIMIT,
  proxyConfigSchema,
  type BackendSettings,
  type KeepaliveFormat,
  type LogLevel,
  type ProxyConfig,
  type ProxyConfigInput,
} from './config/config-schema.js';
export { ENV_BINDINGS } from './config/env-config.js';
export { loadConfig, type LoadConfigOptions, type LoadedConfig } from './config/load-config.js';
export { resolveConfig, type ResolvedProxyConfig } from './config/resolve-config.js';
export type { LogDestination } from './http/logger-options.js';
export { SERVER_VERSION } from './version.js';
