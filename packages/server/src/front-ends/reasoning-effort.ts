import type { ExchangeContext } from '../exchange/front-end.js';

/** The efforts OpenAI chat's `reasoning_effort` takes, as gpt-oss models read them. */
export type ChatReasoningEffort = 'low' | 'medium' | 'high';

/**
 * The `reasoning_effort` to send for what a client asked, or undefined to send none: only to a model that reads it
 * (its `reasoning_effort` setting, else whether its id names gpt-oss), and only when the client said something.
 * The clients' scales are wider than the model's: no reasoning at all cannot be asked of gpt-oss, so `none` and
 * `minimal` (Responses) and thinking turned off (Anthropic) are its lowest effort; `xhigh` and Anthropic's `max`
 * its highest. An effort no API has named yet is left to the model's default rather than refused.
 */
export function chatReasoningEffort(
  context: Pick<ExchangeContext, 'modelSettings' | 'upstreamModel'>,
  asked: string | null | undefined,
): ChatReasoningEffort | undefined {
  if (asked === undefined || asked === null) return undefined;
  const setting = context.modelSettings.reasoningEffort;
  if (!(setting ?? /gpt-oss/i.test(context.upstreamModel))) return undefined;
  switch (asked) {
    case 'none':
    case 'minimal':
    case 'low':
      return 'low';
    case 'medium':
      return 'medium';
    case 'high':
    case 'xhigh':
    case 'max':
      return 'high';
    default:
      return undefined;
  }
}
