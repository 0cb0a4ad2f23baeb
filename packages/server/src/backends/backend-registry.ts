import { openaiBackend, type BackendConfig, type BackendDefinition } from '@proxy/core';
import { nvidiaBackend } from '@proxy/nvidia';
import { ConfigError } from '../config/config-error.js';
import { parseBackendSettings } from '../config/parse-backend-settings.js';
import type { ConfiguredBackend } from '../config/resolve-config.js';
import type { BackendServing } from '../config/server-backend-settings.js';

/** The backend types every server knows. Embedders add their own through buildServer's `backends` option. */
export const BUILTIN_BACKENDS: readonly BackendDefinition[] = [openaiBackend, nvidiaBackend];

/** A configured backend whose settings its type's schema accepted, with the definition that builds it. */
export interface ResolvedBackend {
  definition: BackendDefinition<object>;
  config: BackendConfig<object>;
  /** What the server does with it beyond the connector (catalog refreshes, where its key came from). */
  serving: BackendServing;
}

/** Backend `type` → definition; later definitions replace earlier ones of the same type. */
export class BackendRegistry {
  readonly #definitions = new Map<string, BackendDefinition<object>>();

  constructor(definitions: readonly BackendDefinition<object>[]) {
    for (const definition of definitions) this.#definitions.set(definition.type, definition);
  }

  get types(): string[] {
    return [...this.#definitions.keys()];
  }

  has(type: string): boolean {
    return this.#definitions.has(type);
  }

  get(type: string, backendName: string): BackendDefinition<object> {
    const definition = this.#definitions.get(type);
    if (!definition) throw new ConfigError(`Invalid configuration: ${this.#unknownType(type, backendName)}`);
    return definition;
  }

  /**
   * Every configured backend checked by its type's settings schema, before any connector exists. One ConfigError
   * lists every problem of every backend, so a configuration is fixed in one pass; a backend of an unknown type is
   * one problem among them (there is no schema to check its keys with). `env` is where `api_key_env` names are read.
   */
  resolve(backends: readonly ConfiguredBackend[], env: Readonly<Record<string, string | undefined>> = {}): ResolvedBackend[] {
    const resolved: ResolvedBackend[] = [];
    const problems: string[] = [];
    for (const backend of backends) {
      const definition = this.#definitions.get(backend.type);
      if (!definition) {
        problems.push(this.#unknownType(backend.type, backend.name));
        continue;
      }
      const parsed = parseBackendSettings(backend, definition, env);
      if (parsed.ok) resolved.push({ definition, config: parsed.config, serving: parsed.serving });
      else problems.push(...parsed.problems);
    }
    if (problems.length > 0) throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
    return resolved;
  }

  #unknownType(type: string, backendName: string): string {
    return `backends.${backendName}.type: unknown backend type '${type}' (known: ${this.types.join(', ')})`;
  }
}
