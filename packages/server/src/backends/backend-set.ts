import { redactSecrets, type BackendContext, type Connector } from '@proxy/core';
import type { FastifyBaseLogger } from 'fastify';
import { ConfigError } from '../config/config-error.js';
import type { ResolvedProxyConfig } from '../config/resolve-config.js';
import type { BackendRegistry } from './backend-registry.js';
import { resolveModel, type ModelRoute, type RoutingTable } from './resolve-model.js';

/** How long start-up waits for a backend's catalog before serving without it. */
const CATALOG_TIMEOUT_MS = 10_000;

/** Where a model id goes: the backend, its connector and the model id sent upstream. */
export type BackendRoute = Readonly<ModelRoute & { connector: Connector }>;

/** The configured backends' connectors: created from configuration, initialised at start, closed at shutdown. */
export class BackendSet {
  readonly #connectors: ReadonlyMap<string, Connector>;
  readonly #table: RoutingTable;
  readonly #secrets: readonly (string | undefined)[];
  /** Unix seconds when each catalog was loaded: the `created` of its models. */
  readonly #loadedAt = new Map<string, number>();

  constructor(config: ResolvedProxyConfig, registry: BackendRegistry, context: BackendContext, secrets: readonly (string | undefined)[]) {
    const connectors = new Map<string, Connector>();
    for (const { definition, config: backend } of registry.resolve(config.backends)) {
      try {
        connectors.set(backend.name, definition.create(backend, context));
      } catch (error) {
        const reason = redactSecrets(error instanceof Error ? error.message : String(error), secrets);
        throw new ConfigError(`Invalid configuration: backends.${backend.name}: ${reason}`, { cause: error });
      }
    }
    this.#connectors = connectors;
    this.#secrets = secrets;
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
    for (const [name, connector] of this.#connectors) {
      const created = this.#loadedAt.get(name) ?? 0;
      for (const model of connector.getAvailableModels()) out.push({ id: `${name}:${model}`, backend: name, created });
    }
    return out;
  }

  /** Loads every catalog. A backend that cannot list its models is logged and served anyway. */
  async initialize(log: FastifyBaseLogger): Promise<void> {
    await Promise.all(
      [...this.#connectors].map(async ([name, connector]) => {
        const signal = AbortSignal.timeout(CATALOG_TIMEOUT_MS);
        try {
          await connector.initialize({ signal });
          this.#loadedAt.set(name, Math.floor(Date.now() / 1000));
          log.info({ backend: name, type: connector.type, models: connector.getAvailableModels().length }, 'backend ready');
        } catch (error) {
          const reason = signal.aborted
            ? `no answer within ${CATALOG_TIMEOUT_MS / 1000} s`
            : redactSecrets(error instanceof Error ? error.message : String(error), this.#secrets);
          log.warn({ backend: name, type: connector.type, reason }, 'could not load the backend model catalog; serving without it');
        }
      }),
    );
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.#connectors.values()].map((connector) => connector.close()));
  }
}
