import { parseEmbeddingsRequest, ProxyError, redactSecrets, type CancelSignal } from '@proxy/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { outcomeOf } from '../../accounting/request-outcome.js';
import { recordRequest } from '../../accounting/request-recorder.js';
import type { ExchangeDeps } from '../../exchange/exchange-deps.js';
import { abandon, answerError, callOptionsOf, countRetry, relayUpstreamId } from '../../exchange/exchange-outcome.js';
import { refuseDeepNesting } from '../../exchange/json-depth.js';
import { modelLabel } from '../../exchange/known-models.js';
import { useDialect, type Dialect } from '../../exchange/register-front-end.js';
import { rejectOtherMethods } from '../../http/not-found.js';
import { withRetries } from '../../retry/with-retries.js';
import { abortOnClientClose } from '../../routes/abort-on-client-close.js';

const EMBEDDINGS_URL = '/v1/embeddings';

/**
 * OpenAI's `POST /v1/embeddings`, passed through: the body is validated and sent on with only its model replaced
 * (aliases apply, `force_model` does not: it names a chat model), retried like a chat call before the client got
 * anything, and answered with the upstream's bytes; usage (prompt tokens) is accounted like a chat request's. A
 * backend whose connector serves no embeddings answers 400.
 */
export function registerEmbeddings(scope: FastifyInstance, dialect: Dialect, deps: ExchangeDeps): void {
  useDialect(scope, dialect, deps);
  scope.post(EMBEDDINGS_URL, async function embeddings(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    outcomeOf(request).frontEnd = 'openai_embeddings';
    const signal = abortOnClientClose(reply.raw);
    let status: number;
    try {
      status = await embed(request, reply, signal);
    } catch (error) {
      status = signal.aborted ? abandon(request, reply) : answerError(request, reply, error, dialect, deps);
    }
    recordRequest(request, reply, status, deps.metrics);
  });
  rejectOtherMethods(scope, EMBEDDINGS_URL, ['POST']);

  async function embed(request: FastifyRequest, reply: FastifyReply, signal: CancelSignal): Promise<number> {
    refuseDeepNesting(request.body);
    const body = parseEmbeddingsRequest(request.body);
    const route = deps.backends.route(deps.resolveModel(body.model));
    const outcome = outcomeOf(request);
    outcome.backend = route.backend;
    // Client text that reaches the log line and metrics: a key pasted into the wrong field is not written there.
    outcome.model = redactSecrets(route.model, deps.errors.secrets);
    outcome.modelLabel = modelLabel(route.connector, route.model);
    outcome.stream = false;
    const connector = route.connector;
    const create = connector.createEmbeddings?.bind(connector);
    if (create === undefined) {
      throw new ProxyError({ status: 400, code: 'embeddings_not_supported', param: 'model', message: `The ${route.backend} backend serves no embeddings` });
    }
    body.model = route.model;
    const options = callOptionsOf(request, signal);
    const result = await withRetries(() => create(body, options), {
      policy: deps.retry,
      signal,
      onRetry: (event) => countRetry(request, route.backend, event, deps),
    });
    outcome.usage = result.usage;
    relayUpstreamId(request, reply);
    reply.type('application/json; charset=utf-8').send(deps.scrubber.scrub(result.rawBody));
    return 200;
  }
}
