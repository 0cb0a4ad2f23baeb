/** OpenAI's code for a prompt longer than the model's window, which OpenAI clients act on. */
export const CONTEXT_LENGTH_EXCEEDED = 'context_length_exceeded';

/** What an upstream's words say of a prompt longer than the model's window: the window, and the prompt, when named. */
export interface ContextOverflow {
  limitTokens: number | undefined;
  promptTokens: number | undefined;
  /** The `max_tokens` that, with the prompt, passed the window (vLLM names it when the prompt alone fits). */
  completionTokens?: number | undefined;
}

// vLLM's wordings, which NIM and most OpenAI-compatible servers print:
// - "This model's maximum context length is 8192 tokens. However, you requested 9000 tokens (8000 in the messages,
//   1000 in the completion)." and "… is 8192 tokens and your request has 9000 input tokens";
// - "The decoder prompt (length 9000) is longer than the maximum model length of 8192." (also "(total length N)").
const MAXIMUM_CONTEXT = /maximum context length is (\d+) tokens(?:[^.]*?your request has (\d+) input tokens|[\s\S]{0,80}?\((\d+) in the messages(?:, (\d+) in the completion)?)?/i;
const MODEL_LENGTH = /(?:\((?:total )?length (\d+)\) )?is longer than the maximum model length(?: of (\d+))?/i;

/** The overflow `text` reports, or undefined when it reports none. */
export function readContextOverflow(text: string): ContextOverflow | undefined {
  const context = MAXIMUM_CONTEXT.exec(text);
  if (context) return { limitTokens: Number(context[1]), promptTokens: numberOr(context[2] ?? context[3]), completionTokens: numberOr(context[4]) };
  const length = MODEL_LENGTH.exec(text);
  if (length) return { limitTokens: numberOr(length[2]), promptTokens: numberOr(length[1]) };
  return undefined;
}

function numberOr(text: string | undefined): number | undefined {
  return text === undefined ? undefined : Number(text);
}
