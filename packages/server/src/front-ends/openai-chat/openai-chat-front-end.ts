import { parseChatCompletionRequest, type ChatCompletionRequest } from '@proxy/core';
import { BEARER_KEY } from '../../auth/bearer-auth.js';
import type { KeepaliveFormat } from '../../config/config-schema.js';
import type { FrontEnd } from '../../exchange/front-end.js';
import { ChatStreamEncoder } from './chat-stream-encoder.js';
import { renderOpenAIError } from './render-openai-error.js';
import { fixCompletionIds, hasNonStringId, ResponseIds } from './response-ids.js';
import { ChunkToolMarkup, MARKUP_TAG, readsToolMarkup, rewriteAnswerToolMarkup } from '../tool-markup/chunk-tool-markup.js';
import { chatToolSchemas } from '../tool-markup/parse-minimax-calls.js';

export interface OpenAIChatOptions {
  keepaliveFormat: KeepaliveFormat;
}

/**
 * OpenAI chat completions, the upstream's own dialect: a pass-through. The body is validated and sent on with
 * only its model replaced; the answer is the upstream's bytes, JSON or stream, changed only where NIM breaks what
 * OpenAI clients expect: ids that are not strings are made strings, and a stream carries one id and one model.
 * The model a response names is the upstream's (NIM's own `model`, e.g. `meta/llama3-70b`), as OpenAI names the
 * model that answered; JSON answers and every stream frame, keep-alives included, follow that one convention.
 */
export function openAIChatFrontEnd(options: OpenAIChatOptions): FrontEnd<ChatCompletionRequest> {
  return {
    name: 'openai_chat',
    parse: parseChatCompletionRequest,
    describe: (body) => ({ model: body.model, stream: body.stream === true }),
    toChatRequest(body, context) {
      // The parsed body is this request's own and nothing reads it after routing: it is changed in place.
      body.model = context.upstreamModel;
      const cap = context.modelSettings.maxTokens;
      if (cap !== undefined) capTokens(body, cap);
      return body;
    },
    // No estimatedUsage: as its stream encoder, this pass-through estimates nothing when NIM reports no usage.
    fromChatCompletion(result, body, context) {
      // The parsed copy is this request's own: its ids are fixed in place, and it is serialised only then.
      if (readsToolMarkup(context, offersTools(body)) && result.rawBody.includes(MARKUP_TAG)) {
        const choice = result.body.choices[0];
        if (choice) rewriteAnswerToolMarkup(choice as Parameters<typeof rewriteAnswerToolMarkup>[0], chatToolSchemas(body.tools), context.log);
      } else if (!hasNonStringId(result.rawBody)) return { text: result.rawBody };
      fixCompletionIds(result.body as unknown as Record<string, unknown>, new ResponseIds(context.requestId));
      return { text: JSON.stringify(result.body) };
    },
    createStreamEncoder: (body, context) =>
      new ChatStreamEncoder({
        includeUsage: body.stream_options?.include_usage === true,
        keepaliveFormat: options.keepaliveFormat,
        requestId: context.requestId,
        backend: context.backend,
        upstreamModel: context.upstreamModel,
        created: context.created,
        toolMarkup: readsToolMarkup(context, offersTools(body)) ? (ids) => new ChunkToolMarkup(chatToolSchemas(body.tools), context.log, (index) => ids.toolCall(0, index, undefined)) : undefined,
      }),
    renderError: renderOpenAIError,
    readApiKey: BEARER_KEY.readApiKey,
    apiKeyHint: BEARER_KEY.apiKeyHint,
  };
}

/**
 * The operator's `max_tokens` for the model, as on every front end: the most a request may ask for, and what one
 * that names no limit gets — NIM's own default is low, and a reasoning model can spend all of it thinking.
 */
function capTokens(body: ChatCompletionRequest, cap: number): void {
  if (body.max_tokens == null && body.max_completion_tokens == null) {
    body.max_tokens = cap;
    return;
  }
  if (typeof body.max_tokens === 'number' && body.max_tokens > cap) body.max_tokens = cap;
  if (typeof body.max_completion_tokens === 'number' && body.max_completion_tokens > cap) body.max_completion_tokens = cap;
}

/** Whether the request offers the model tools it may call (some, and `tool_choice` is not `none`). */
function offersTools(body: ChatCompletionRequest): boolean {
  return Array.isArray(body.tools) && body.tools.length > 0 && body.tool_choice !== 'none';
}
