import { InvalidRequestError } from '@proxy/core';

export interface ModelRoute {
  backend: string;
  /** The model id sent upstream. */
  model: string;
}

export interface RoutingTable {
  /** Configured backend names. */
  backends: ReadonlySet<string>;
  defaultBackend: string;
  /** Backend types the server knows: a prefix naming one that is not configured is a mistake, not a model id. */
  knownTypes: ReadonlySet<string>;
}

/**
 * `backend:model` → that backend and the model part, split at the FIRST colon and only when the prefix is a
 * configured backend, since model ids may contain `:` themselves (`llama3:8b`, `org/model:tag`). Anything else
 * goes to the default backend as it is.
 */
export function resolveModel(requested: string, table: RoutingTable): ModelRoute {
  const colon = requested.indexOf(':');
  if (colon > 0) {
    const prefix = requested.slice(0, colon);
    if (table.backends.has(prefix)) {
      const model = requested.slice(colon + 1);
      if (model.length === 0) {
        throw new InvalidRequestError(`Invalid model '${requested}': no model id after '${prefix}:'`, {
          param: 'model',
          code: 'model_not_found',
        });
      }
      return { backend: prefix, model };
    }
    if (table.knownTypes.has(prefix)) {
      throw new InvalidRequestError(
        `Unknown backend '${prefix}' in model '${requested}'. Configured backends: ${[...table.backends].join(', ')}`,
        { param: 'model', code: 'unknown_backend' },
      );
    }
  }
  return { backend: table.defaultBackend, model: requested };
}
