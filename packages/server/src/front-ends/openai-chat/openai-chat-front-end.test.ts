import { parseChatCompletionRequest } from '@proxy/core';
import { describe, expect, it } from 'vitest';
import type { ExchangeContext, ModelSettings } from '../../exchange/front-end.js';
import { openAIChatFrontEnd } from './openai-chat-front-end.js';

const frontEnd = openAIChatFrontEnd({ keepaliveFormat: 'comment' });

function context(modelSettings: ModelSettings): ExchangeContext {
  return {
    requestId: 'req1',
    clientModel: 'nvidia:meta/llama-3.3-70b-instruct',
    backend: 'nvidia',
    upstreamModel: 'meta/llama-3.3-70b-instruct',
    modelSettings,
    created: 1_700_000_000,
    log: { warn: () => undefined, debug: () => undefined },
  };
}

const toChat = (body: Record<string, unknown>, settings: ModelSettings = {}) =>
  frontEnd.toChatRequest(parseChatCompletionRequest({ model: 'x', messages: [{ role: 'user', content: 'hi' }], ...body }), context(settings));

describe('the OpenAI chat front end', () => {
  it('sends the body with the upstream model and nothing else changed when no max_tokens is configured', () => {
    const body = { temperature: 0.2, max_tokens: 99_999, chat_template_kwargs: { thinking: true } };
    expect(toChat(body)).toEqual({ model: 'meta/llama-3.3-70b-instruct', messages: [{ role: 'user', content: 'hi' }], ...body });
  });

  it("gives a request that names no limit the model's configured max_tokens: NIM's own default is low", () => {
    expect(toChat({}, { maxTokens: 16_384 })).toMatchObject({ max_tokens: 16_384 });
    expect(toChat({ max_tokens: null }, { maxTokens: 16_384 })).toMatchObject({ max_tokens: 16_384 });
  });

  it('caps a larger limit to it, in whichever field the client used, and keeps a smaller one', () => {
    expect(toChat({ max_tokens: 32_000 }, { maxTokens: 8192 })).toMatchObject({ max_tokens: 8192 });
    expect(toChat({ max_completion_tokens: 32_000 }, { maxTokens: 8192 })).toEqual(expect.objectContaining({ max_completion_tokens: 8192 }));
    expect(toChat({ max_completion_tokens: 32_000 }, { maxTokens: 8192 })).not.toHaveProperty('max_tokens');
    expect(toChat({ max_tokens: 100 }, { maxTokens: 8192 })).toMatchObject({ max_tokens: 100 });
  });
});
