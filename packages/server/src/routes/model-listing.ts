import { ProxyError } from '@proxy/core';
import type { BackendSet } from '../backends/backend-set.js';
import type { ModelSettings } from '../exchange/front-end.js';
import type { NamedAlias } from '../models/index.js';

/** One entry of `GET /v1/models`: a model of a backend's catalog (`backend:model`) or an alias clients can name. */
export interface ListedModel {
  id: string;
  /** The backend that serves it. */
  backend: string;
  /** Unix seconds: when that backend's catalog was read (the time of the answer when it has not been yet). */
  created: number;
  /** An alias's route, as `backend:model`. */
  routesTo?: string;
  /** The `max_tokens` cap `model_settings` gives the model it routes to. */
  maxTokens?: number;
}

/** The `model_settings` of an upstream model (ExchangeDeps' lookup). */
export type SettingsOf = (backend: string, model: string) => Pick<ModelSettings, 'maxTokens'>;

/**
 * What `GET /v1/models` lists: the aliases named by id first (the names the operator chose for its users), then
 * every backend's catalog in configuration order. An alias whose target names no configured backend is left out:
 * a client that picked it would only get the 400.
 */
export function listModels(backends: BackendSet, aliases: readonly NamedAlias[], settingsOf: SettingsOf): ListedModel[] {
  const now = Math.floor(Date.now() / 1000);
  const listed: ListedModel[] = [];
  const seen = new Set<string>();
  const withCap = (model: ListedModel, backend: string, upstream: string): ListedModel => {
    const cap = settingsOf(backend, upstream).maxTokens;
    return cap === undefined ? model : { ...model, maxTokens: cap };
  };
  for (const alias of aliases) {
    const route = routeOf(backends, alias.target);
    if (route === undefined || seen.has(alias.id)) continue;
    seen.add(alias.id);
    const model = { id: alias.id, backend: route.backend, created: backends.loadedAt(route.backend) || now, routesTo: `${route.backend}:${route.model}` };
    listed.push(withCap(model, route.backend, route.model));
  }
  for (const model of backends.catalog()) {
    if (!seen.has(model.id)) listed.push(withCap(model, model.backend, model.id.slice(model.backend.length + 1)));
  }
  return listed;
}

/**
 * One listed model by id: exactly as listed, an alias whatever its case (aliases match so when routing), or a bare
 * id of the default backend's catalog, as it would be routed in a chat request.
 */
export function findListedModel(models: readonly ListedModel[], backends: BackendSet, id: string): ListedModel | undefined {
  const exact = models.find((model) => model.id === id) ?? models.find((model) => model.routesTo !== undefined && model.id.toLowerCase() === id.toLowerCase());
  if (exact) return exact;
  const route = routeOf(backends, id);
  if (route === undefined) return undefined;
  const canonical = `${route.backend}:${route.model}`;
  return models.find((model) => model.routesTo === undefined && model.id === canonical);
}

function routeOf(backends: BackendSet, model: string): { backend: string; model: string } | undefined {
  try {
    return backends.route(model);
  } catch (error) {
    if (ProxyError.isInstance(error)) return undefined;
    throw error;
  }
}
