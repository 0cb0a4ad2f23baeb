import type { IncomingHttpHeaders } from 'node:http';
import { bearerToken } from '../../auth/bearer-auth.js';
import type { FrontEnd } from '../../exchange/front-end.js';
import { SaidOnce } from '../said-once.js';
import { fromChatCompletion } from './from-chat-completion.js';
import { parseResponsesRequest } from './parse-request.js';
import { renderError } from './render-error.js';
import type { ResponsesRequest } from './request-schema.js';
import { ResponsesStreamEncoder } from './stream-encoder.js';
import { toChatRequest } from './to-chat-request.js';

/**
 * OpenAI's Responses API (`POST /v1/responses`) on chat completions: what Codex CLI and the SDKs' agents speak,
 * for NIM, which serves chat only. Stateless: every request carries its whole conversation (Codex sends
 * `store: false`), nothing is stored, and the features that need stored responses are refused with a 400.
 */
export function createOpenAIResponsesFrontEnd(): FrontEnd<ResponsesRequest> {
  // What NIM cannot take is said once per kind in the log: Codex sends `web_search` on every turn.
  const told = new SaidOnce();
  return {
    name: 'openai_responses',
    parse: parseResponsesRequest,
    describe: (body) => ({ model: body.model, stream: body.stream === true }),
    toChatRequest: (body, context) => toChatRequest(body, context, told),
    fromChatCompletion,
    createStreamEncoder: (body, context) => new ResponsesStreamEncoder(body, context),
    renderError,
    readApiKey: (headers: IncomingHttpHeaders) => bearerToken(headers.authorization),
    apiKeyHint: "send it as 'Authorization: Bearer <key>'",
  };
}
