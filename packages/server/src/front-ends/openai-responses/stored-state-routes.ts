import type { FastifyInstance } from 'fastify';
import { invalidUrl } from '../../http/not-found.js';
import { NO_STATE } from './parse-request.js';

/**
 * The Responses API's routes for stored state — retrieving, cancelling or listing the input of a stored response
 * (`/v1/responses/{id}…`) and its Conversations API (`/v1/conversations…`, what the OpenAI Agents SDK's
 * `OpenAIConversationsSession` calls) — answered 404 saying why: a bare "Invalid URL" reads as a wrong base URL,
 * when the cure is to send the conversation itself. Registered in the front end's scope, so the key check and
 * OpenAI's error shape apply as on `/v1/responses`.
 */
export function refuseStoredStateRoutes(scope: FastifyInstance): void {
  for (const url of ['/v1/responses/*', '/v1/conversations', '/v1/conversations/*']) {
    scope.all(url, (request) => {
      throw invalidUrl(request, NO_STATE);
    });
  }
}
