import { openaiBackend, type BackendDefinition } from '@proxy/core';
import { nvidiaBackend } from '@proxy/nvidia';
import { ConfigError } from '../config/config-error.js';

/** The backend types every server knows. Embedders add their own through buildServer's `backends` option. */
export const BUILTIN_BACKENDS: readonly BackendDefinition[] = [openaiBackend, nvidiaBackend];

/** Backend `type` → definition; later definitions replace earlier ones of the same type. */
export class BackendRegistry {
  readonly #definitions = new Map<string, BackendDefinition>();

  constructor(definitions: readonly BackendDefinition[]) {
    for (const definition of definitions) this.#definitions.set(definition.type, definition);
  }

  get types(): string[] {
    return [...this.#definitions.keys()];
  }

  has(type: string): boolean {
    return this.#definitions.has(type);
  }

  get(type: string, backendName: string): BackendDefinition {
    const definition = this.#definitions.get(type);
    if (!definition) {
      throw new ConfigError(
        `Invalid configuration: backends.${backendName}.type: unknown backend type '${type}' (known: ${this.types.join(', ')})`,
      );
    }
    return definition;
  }
}
