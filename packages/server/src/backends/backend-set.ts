import { redactSecrets, type BackendContext, type Connector } from '@proxy/core';
import type { FastifyBaseLogger } from 'fastify';
import { ConfigError } from '../config/config-error.js';
import type { ResolvedProxyConfig } from '../config/resolve-config.js';
import type { BackendServing } from '../config/server-backend-settings.js';
import type { BackendRegistry } from './backend-registry.js';
import { CatalogRefresher } from './catalog-refresher.js';
import { systemCatalogTimers, type CatalogTimers } from './catalog-timers.js';
import { resolveModel, type ModelRoute, type RoutingTable } from './resolve-model.js';

/** Where a model id goes: the backend, its connector and the model id sent upstream. */
export type BackendRoute = Readonly<ModelRoute & { connector: Connector }>;

/** What the start-up summary says about one backend (never its key). */
export interface BackendSummary {
  name: string;
  type: string;
  models: number;
  /** The catalog could not be read (a retry is scheduled). */
  catalog_failing: boolean;
  /** Whether the connector holds an upstream key; undefined for a connector that does not say. */
  has_api_key: boolean | undefined;
  /** The connector calls its upstream without a key when it has none (a local Ollama or vLLM). */
  keyless_ok: boolean;
  api_key_env?: string;
  /** The HTTP proxy the upstream is reached through (HTTPS_PROXY…), without its credentials. */
  upstream_proxy?: string;
}

/** The BackendSet each app built by buildServer serves with (startServer reads it for the start-up summary). */
export const backendSetOf = new WeakMap<object, BackendSet>();

/** The configured backends' connectors: created from configuration, initialised at start, closed at shutdown. */
export class BackendSet {
  readonly #connectors: ReadonlyMap<string, Connector>;
  readonly #table: RoutingTable;
  /** Each backend's catalog: read at start, retried while it fails, refreshed every `models_refresh`. */
  readonly #catalogs = new Map<string, CatalogRefresher>();
  readonly #serving = new Map<string, BackendServing>();

  constructor(
    config: ResolvedProxyConfig,
    registry: BackendRegistry,
    context: BackendContext,
    secrets: readonly (string | undefined)[],
    timers: CatalogTimers = systemCatalogTimers,
  ) {
    const connectors = new Map<string, Connector>();
    for (const { definition, config: backend, serving } of registry.resolve(config.backends, context.env)) {
      let connector: Connector;
      try {
        connector = definition.create(backend, context);
      } catch (error) {
        const reason = redactSecrets(error instanceof Error ? error.message : String(error), secrets);
        throw new ConfigError(`Invalid configuration: backends.${backend.name}: ${reason}`, { cause: error });
      }
      connectors.set(backend.name, connector);
      this.#serving.set(backend.name, serving);
      // A static `models` list is the catalog: there is nothing to read again.
      const refreshMs = Array.isArray((backend as { models?: unknown }).models) ? 0 : serving.modelsRefreshMs;
      this.#catalogs.set(backend.name, new CatalogRefresher({ name: backend.name, connector, refreshMs, timers, secrets }));
    }
    this.#connectors = connectors;
    this.#table = {
      backends: new Set(connectors.keys()),
      defaultBackend: config.default_backend,
      knownTypes: new Set(registry.types),
    };
  }

  get names(): string[] {
    return [...this.#connectors.keys()];
  }

  /** The connector and upstream model for a client's model id; throws a 400 for an unknown backend prefix. */
  route(requested: string): BackendRoute {
    const { backend, model } = resolveModel(requested, this.#table);
    return { backend, model, connector: this.#connectors.get(backend)! };
  }

  get(name: string): Connector | undefined {
    return this.#connectors.get(name);
  }

  /** Every backend's catalog as `backend:model` ids, in configuration order. */
  catalog(): { id: string; backend: string; created: number }[] {
    const out: { id: string; backend: string; created: number }[] = [];
    for (const [name, catalog] of this.#catalogs) {
      const created = catalog.loadedAt;
      for (const model of catalog.models) out.push({ id: `${name}:${model}`, backend: name, created });
    }
    return out;
  }

  /** Unix seconds of the backend's last catalog read; 0 before one (or for a name no backend has). */
  loadedAt(name: string): number {
    return this.#catalogs.get(name)?.loadedAt ?? 0;
  }

  /**
   * Loads every catalog (each read bounded by 10 s). A backend that cannot list its models is logged and served
   * anyway; its catalog is retried in the background until it loads, then refreshed every `models_refresh`.
   */
  async initialize(log: FastifyBaseLogger): Promise<void> {
    await Promise.all([...this.#catalogs.values()].map((catalog) => catalog.start(log)));
  }

  /** Each backend as the start-up summary describes it. */
  summary(): BackendSummary[] {
    return [...this.#connectors].map(([name, connector]) => {
      const catalog = this.#catalogs.get(name)!;
      const keys = connector as { hasApiKey?: unknown; requiresApiKey?: unknown; upstreamProxy?: unknown };
      const apiKeyEnv = this.#serving.get(name)?.apiKeyEnv;
      return {
        name,
        type: connector.type,
        models: catalog.models.length,
        catalog_failing: catalog.failing,
        has_api_key: typeof keys.hasApiKey === 'boolean' ? keys.hasApiKey : undefined,
        keyless_ok: keys.requiresApiKey === false,
        ...(apiKeyEnv === undefined ? {} : { api_key_env: apiKeyEnv }),
        ...(typeof keys.upstreamProxy === 'string' ? { upstream_proxy: keys.upstreamProxy } : {}),
      };
    });
  }

  async close(): Promise<void> {
    for (const catalog of this.#catalogs.values()) catalog.close();
    await Promise.allSettled([...this.#connectors.values()].map((connector) => connector.close()));
  }
}
