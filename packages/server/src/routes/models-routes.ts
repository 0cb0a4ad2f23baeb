import { InvalidRequestError, type SecretScrubber } from '@proxy/core';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { BackendSet } from '../backends/backend-set.js';
import type { Dialect, DialectFor } from '../exchange/register-front-end.js';
import { anthropicModelPage, toAnthropicModel } from '../front-ends/anthropic/model-list.js';
import { ANTHROPIC_API_KEY_HINT, readAnthropicApiKey } from '../front-ends/anthropic/read-api-key.js';
import { renderAnthropicError } from '../front-ends/anthropic/render-error.js';
import type { NamedAlias } from '../models/index.js';
import { findListedModel, listModels, type ListedModel, type SettingsOf } from './model-listing.js';

export interface ModelsRoutesOptions {
  backends: BackendSet;
  /** `model_aliases` keys that are ids: listed beside the catalogs. */
  aliases: readonly NamedAlias[];
  /** `model_settings`, for the `max_tokens` cap Anthropic's model objects carry. */
  settingsOf: SettingsOf;
  /** Removes keys from the answer: model ids come from the upstream's catalog, which may echo one. */
  scrubber: SecretScrubber;
}

interface OpenAIModel {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
}

/**
 * `GET /v1/models` lists the aliases named by id and every backend's catalog as `backend:model` ids; `GET
 * /v1/models/<id>` looks one up. Both answer in the shape of the API the client speaks: Anthropic's (paged, as its
 * SDKs and Claude Code's gateway model discovery read it) when the request carries `anthropic-version`, OpenAI's
 * otherwise.
 */
export const modelsRoutes: FastifyPluginAsync<ModelsRoutesOptions> = async (app, { backends, aliases, settingsOf, scrubber }) => {
  /** The answer as scrubbed JSON text (one serialisation, as Fastify's own would be; the scrub is one search). */
  const scrubbedJson = (value: unknown) => scrubber.scrub(JSON.stringify(value));
  app.get('/v1/models', async (request, reply) => {
    const models = listModels(backends, aliases, settingsOf);
    const answer = speaksAnthropic(request) ? anthropicModelPage(models, request.query) : { object: 'list', data: models.map(toOpenAIModel) };
    reply.type('application/json; charset=utf-8');
    return scrubbedJson(answer);
  });

  // A wildcard, not `:id`: model ids contain slashes (`nvidia:meta/llama3-70b`).
  app.get<{ Params: { '*': string } }>('/v1/models/*', async (request, reply) => {
    const id = request.params['*'];
    const model = findListedModel(listModels(backends, aliases, settingsOf), backends, id);
    if (!model) {
      throw new InvalidRequestError(`The model '${id}' does not exist in any configured backend's catalog or model_aliases`, {
        status: 404,
        param: 'model',
        code: 'model_not_found',
      });
    }
    reply.type('application/json; charset=utf-8');
    return scrubbedJson(speaksAnthropic(request) ? toAnthropicModel(model) : toOpenAIModel(model));
  });
};

/**
 * The dialect of a `/v1/models` request: Anthropic's error shape for a client that speaks Anthropic's API, the
 * OpenAI front end's otherwise. The key is taken from `x-api-key` or `Authorization: Bearer` either way, as the
 * route has always taken it: the SDKs send one or the other, and a list of model names is worth no stricter rule.
 */
export function modelsDialect(openai: Dialect): DialectFor {
  const anthropic: Dialect = { renderError: renderAnthropicError, readApiKey: readAnthropicApiKey, apiKeyHint: ANTHROPIC_API_KEY_HINT };
  const other: Dialect = { renderError: openai.renderError, readApiKey: readAnthropicApiKey, apiKeyHint: ANTHROPIC_API_KEY_HINT };
  return (headers) => (speaksAnthropic({ headers }) ? anthropic : other);
}

/** Anthropic's clients send `anthropic-version` on every call; OpenAI's never do. */
export function speaksAnthropic(request: Pick<FastifyRequest, 'headers'>): boolean {
  return request.headers['anthropic-version'] !== undefined;
}

function toOpenAIModel(model: ListedModel): OpenAIModel {
  return { id: model.id, object: 'model', created: model.created, owned_by: model.backend };
}
