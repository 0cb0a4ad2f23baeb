import { promptTokenCount } from './completion-content.js';
import { jsonResponse } from './problem-details.js';

/**
 * vLLM's refusal of a request longer than the model's window: the prompt (counted as the mock counts it for usage)
 * and the `max_tokens` asked for (none: nothing reserved) must fit in `window`. `undefined` when they do, or when the
 * model has no window.
 */
export function contextWindowProblem(body: { messages?: unknown; max_tokens?: unknown }, window: number | undefined): Response | undefined {
  if (window === undefined) return undefined;
  const prompt = promptTokenCount(body.messages);
  const completion = typeof body.max_tokens === 'number' ? body.max_tokens : 0;
  if (prompt + completion <= window) return undefined;
  const message =
    `This model's maximum context length is ${window} tokens. However, you requested ${prompt + completion} tokens ` +
    `(${prompt} in the messages, ${completion} in the completion). Please reduce the length of the messages or completion.`;
  return jsonResponse({ object: 'error', message, type: 'BadRequestError', param: null, code: 400 }, 400);
}
