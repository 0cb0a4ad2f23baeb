import { InvalidRequestError, ProxyError, type SecretScrubber } from '@proxy/core';
import type { FastifyPluginAsync } from 'fastify';
import type { BackendSet } from '../backends/backend-set.js';

export interface ModelsRoutesOptions {
  backends: BackendSet;
  /** Removes keys from the answer: model ids come from the upstream's catalog, which may echo one. */
  scrubber: SecretScrubber;
}

interface ModelObject {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
}

/** `GET /v1/models` lists every backend's catalog as `backend:model` ids; `GET /v1/models/<id>` looks one up. */
export const modelsRoutes: FastifyPluginAsync<ModelsRoutesOptions> = async (app, { backends, scrubber }) => {
  /** The answer as scrubbed JSON text (one serialisation, as Fastify's own would be; the scrub is one search). */
  const scrubbedJson = (value: unknown) => scrubber.scrub(JSON.stringify(value));
  app.get('/v1/models', async (_request, reply) => {
    reply.type('application/json; charset=utf-8');
    return scrubbedJson({ object: 'list', data: backends.catalog().map(toModelObject) });
  });

  // A wildcard, not `:id`: model ids contain slashes (`nvidia:meta/llama3-70b`).
  app.get<{ Params: { '*': string } }>('/v1/models/*', async (request, reply) => {
    const id = request.params['*'];
    const model = findModel(backends, id);
    if (!model) {
      throw new InvalidRequestError(`The model '${id}' does not exist in any configured backend's catalog`, {
        status: 404,
        param: 'model',
        code: 'model_not_found',
      });
    }
    reply.type('application/json; charset=utf-8');
    return scrubbedJson(toModelObject(model));
  });
};

function findModel(backends: BackendSet, id: string): { id: string; backend: string; created: number } | undefined {
  const catalog = backends.catalog();
  const exact = catalog.find((model) => model.id === id);
  if (exact) return exact;
  // A bare id names a model of the default backend, as it would in a chat request.
  let canonical: string;
  try {
    const route = backends.route(id);
    canonical = `${route.backend}:${route.model}`;
  } catch (error) {
    if (ProxyError.isInstance(error)) return undefined;
    throw error;
  }
  return catalog.find((model) => model.id === canonical);
}

function toModelObject(model: { id: string; backend: string; created: number }): ModelObject {
  return { id: model.id, object: 'model', created: model.created, owned_by: model.backend };
}
