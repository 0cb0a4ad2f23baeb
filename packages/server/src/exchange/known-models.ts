import type { Connector } from '@proxy/core';

/** The label of models a backend does not list: one value, whatever names clients make up. */
export const OTHER_MODEL = 'other';

const catalogs = new WeakMap<readonly string[], ReadonlySet<string>>();

/**
 * `model` when the connector's catalog (its `GET /models`, or its configured list) has it, else OTHER_MODEL. The
 * catalog array is replaced whenever it is reloaded, so its Set is built once per catalog, not per request.
 */
export function modelLabel(connector: Connector, model: string): string {
  const models = connector.getAvailableModels();
  let known = catalogs.get(models);
  if (!known) {
    known = new Set(models);
    catalogs.set(models, known);
  }
  return known.has(model) ? model : OTHER_MODEL;
}
