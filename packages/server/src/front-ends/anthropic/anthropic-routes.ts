import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { outcomeOf } from '../../accounting/request-outcome.js';
import type { ExchangeDeps } from '../../exchange/exchange-deps.js';
import { refuseDeepNesting } from '../../exchange/json-depth.js';
import { registerFrontEnd } from '../../exchange/register-front-end.js';
import { invalidUrl, rejectOtherMethods } from '../../http/not-found.js';
import { createAnthropicFrontEnd, parseCountTokensRequest } from './anthropic-front-end.js';
import { estimateInputTokens } from './estimate-tokens.js';

export interface AnthropicRoutesOptions {
  exchange: ExchangeDeps;
}

/**
 * Anthropic's Messages API in its own scope: `POST /v1/messages` (`?beta=true` too, as Claude Code sends it)
 * through the exchange, `POST /v1/messages/count_tokens` answered here (an estimate, no upstream call), and
 * anything else under `/v1/messages` a 404 in Anthropic's shape. The scope's key reading (`x-api-key` or
 * `Authorization: Bearer`) and error handler cover all three.
 */
export const anthropicRoutes: FastifyPluginAsync<AnthropicRoutesOptions> = async (scope, { exchange }) => {
  // Anthropic's API names each answer's id `request-id`, which its SDKs report (`_request_id`, an error's
  // `requestID` and message): the proxy's own id, the one its log line carries.
  // Registered before the key check, so a 401 carries it too; a stream's headers are taken from the reply's.
  scope.addHook('onRequest', (request, reply, done) => {
    reply.header('request-id', request.id);
    done();
  });
  registerFrontEnd(scope, createAnthropicFrontEnd(), ['/v1/messages'], exchange);
  scope.post('/v1/messages/count_tokens', (request, reply) => {
    // The tokenizer's estimate serialises the tools: a body nested deep enough would overflow its stack.
    refuseDeepNesting(request.body);
    const body = parseCountTokensRequest(request.body);
    reply.type('application/json; charset=utf-8').send(`{"input_tokens":${estimateInputTokens(body)}}`);
  });
  rejectOtherMethods(scope, '/v1/messages/count_tokens', ['POST']);
  scope.all('/v1/messages/*', (request) => {
    throw invalidUrl(request);
  });
};

/**
 * What Claude Code sends besides the API (reachability probes, its own telemetry, which
 * CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC turns off only in some versions): answered at once, without a key,
 * and left out of the request log and metrics, so it neither fills the log with 404s nor counts as traffic.
 */
export function registerClaudeCodeSideTraffic(app: FastifyInstance): void {
  const quiet = (status: number) =>
    function answerQuietly(request: FastifyRequest, reply: FastifyReply): void {
      // Marked as recorded: the request line and metrics skip it.
      outcomeOf(request).recorded = true;
      reply.code(status).send();
    };
  app.head('/', quiet(200));
  app.head('/api/hello', quiet(200));
  app.post('/api/event_logging/batch', quiet(204));
}
