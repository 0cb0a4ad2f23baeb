import { formatIssuePath, formatZodError, InvalidRequestError } from '@proxy/core';
import type { z } from 'zod';
import type { FrontEnd } from '../../exchange/front-end.js';
import { SaidOnce } from '../said-once.js';
import { fromChatCompletion } from './from-chat-completion.js';
import {
  countTokensRequestSchema,
  messagesRequestSchema,
  PREFILL_TRAILING_WHITESPACE,
  prefillText,
  type CountTokensRequest,
  type MessagesRequest,
} from './messages-schema.js';
import { refuseThreadContinuation } from './message-threads.js';
import { ANTHROPIC_API_KEY_HINT, readAnthropicApiKey } from './read-api-key.js';
import { renderAnthropicError } from './render-error.js';
import { AnthropicStreamEncoder } from './stream-encoder.js';
import { toChatRequest, type TranslationNotes } from './to-chat-request.js';

/** Anthropic's Messages API (`/v1/messages`) on NIM's chat completions: Claude Code and every Anthropic SDK. */
export function createAnthropicFrontEnd(): FrontEnd<MessagesRequest> {
  // What NIM cannot take is said once per kind in the log, not on every request of an agent loop.
  const told = new SaidOnce();
  return {
    name: 'anthropic_messages',
    parse(body) {
      // Before the schema: a continued thread's messages answer tool calls of a history the proxy never saw.
      refuseThreadContinuation(body);
      const parsed = parseWith(messagesRequestSchema, body);
      // Anthropic refuses a prefill the model would continue after a space or a newline, before any generation.
      if (/\s$/.test(prefillText(parsed.messages) ?? '')) throw new InvalidRequestError(PREFILL_TRAILING_WHITESPACE, { param: 'messages' });
      return parsed;
    },
    describe: (body) => ({ model: body.model, stream: body.stream === true }),
    toChatRequest(body, context) {
      const notes: TranslationNotes = {};
      const request = toChatRequest(body, context, notes);
      if (told.fresh([...(notes.droppedTools ?? []), ...(notes.droppedBlocks ?? [])]).length > 0) {
        context.log.warn(
          { dropped_tools: notes.droppedTools, dropped_blocks: notes.droppedBlocks },
          "Left out of the request to NIM: Anthropic's server tools and blocks a chat model cannot take (said once)",
        );
      }
      return request;
    },
    fromChatCompletion,
    createStreamEncoder: (body, context) => new AnthropicStreamEncoder(body, context),
    renderError: renderAnthropicError,
    readApiKey: readAnthropicApiKey,
    apiKeyHint: ANTHROPIC_API_KEY_HINT,
  };
}

/** The count_tokens body: the Messages schema less `max_tokens`, same errors. */
export function parseCountTokensRequest(body: unknown): CountTokensRequest {
  return parseWith(countTokensRequestSchema, body);
}

function parseWith<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const deepest = deepestIssue(parsed.error.issues);
  if (deepest) {
    const param = formatIssuePath(deepest.path);
    throw new InvalidRequestError(`Invalid '${param}': ${deepest.message}`, { param });
  }
  const { message, param } = formatZodError(parsed.error);
  throw new InvalidRequestError(message, { param });
}

/**
 * `content` is a string or a list of blocks: when neither fits, zod reports the union, at `messages[0].content`.
 * The branch that got furthest (e.g. `messages[0].content[0].type` of a list) says what is really wrong.
 */
function deepestIssue(issues: readonly z.core.$ZodIssue[]): { path: PropertyKey[]; message: string } | undefined {
  const first = issues[0];
  if (first?.code !== 'invalid_union' || first.errors.length === 0) return undefined;
  let best: { path: PropertyKey[]; message: string } | undefined;
  for (const branch of first.errors) {
    for (const issue of branch) {
      const nested = deepestIssue([issue]) ?? { path: issue.path, message: issue.message };
      const path = [...first.path, ...nested.path];
      if (!best || path.length > best.path.length) best = { path, message: nested.message };
    }
  }
  return best && best.path.length > first.path.length ? best : undefined;
}
