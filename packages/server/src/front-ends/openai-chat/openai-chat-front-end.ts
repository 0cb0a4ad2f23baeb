import { parseChatCompletionRequest, type ChatCompletionRequest } from '@proxy/core';
import { BEARER_KEY } from '../../auth/bearer-auth.js';
import type { KeepaliveFormat } from '../../config/config-schema.js';
import type { FrontEnd } from '../../exchange/front-end.js';
import { ChatStreamEncoder } from './chat-stream-encoder.js';
import { buildKeepaliveFrame } from './keepalive-frame.js';
import { renderOpenAIError } from './render-openai-error.js';

export interface OpenAIChatOptions {
  keepaliveFormat: KeepaliveFormat;
}

/**
 * OpenAI chat completions, the upstream's own dialect: a pass-through. The body is validated and sent on with
 * only its model replaced; the answer is the upstream's bytes, unchanged, JSON or stream.
 */
export function openAIChatFrontEnd(options: OpenAIChatOptions): FrontEnd<ChatCompletionRequest> {
  return {
    name: 'openai_chat',
    parse: parseChatCompletionRequest,
    describe: (body) => ({ model: body.model, stream: body.stream === true }),
    toChatRequest(body, context) {
      // The parsed body is this request's own and nothing reads it after routing: the model is set in place.
      body.model = context.upstreamModel;
      return body;
    },
    fromChatCompletion: (result) => result.rawBody,
    createStreamEncoder: (body, context) =>
      new ChatStreamEncoder(body.stream_options?.include_usage === true, () =>
        buildKeepaliveFrame({
          format: options.keepaliveFormat,
          model: context.clientModel,
          id: `chatcmpl-keepalive-${context.requestId}`,
          created: context.created,
        }),
      ),
    renderError: renderOpenAIError,
    readApiKey: BEARER_KEY.readApiKey,
    apiKeyHint: BEARER_KEY.apiKeyHint,
  };
}
