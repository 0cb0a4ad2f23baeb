import { jsonDetailErrors } from './pydantic-errors.js';

/** The largest `max_tokens` an error says NIM would take for the request, and whether that holds for every request. */
export interface TokenLimit {
  maxTokens: number;
  /**
   * true: the model's schema caps `max_tokens` (pydantic's `less_than_equal`), the same for every request; false:
   * the context window left after this request's prompt (vLLM's "maximum context length"), for this request only.
   */
  fixed: boolean;
}

/**
 * What a 400/422 body says of `max_tokens`, in the wordings NIM uses; undefined when it says nothing of it:
 * - pydantic's `less_than_equal` at `loc: ('body', 'max_tokens')`, printed as Python in problem details or as a JSON
 *   `detail` list, or in prose (`max_tokens … less than or equal to 4096`): a cap of the model's schema;
 * - vLLM's context checks, `This model's maximum context length is 8192 tokens and your request has 5000 input
 *   tokens` or `… However, you requested 37000 tokens (5000 in the messages, 32000 in the completion)`: what the
 *   window leaves for this prompt.
 */
export function readTokenLimit(bodyText: string): TokenLimit | undefined {
  const cap = PYTHON_LE.exec(bodyText) ?? PROSE_LE.exec(bodyText);
  if (cap) return { maxTokens: Number(cap[1]), fixed: true };
  const fromJson = jsonDetailCap(bodyText);
  if (fromJson !== undefined) return { maxTokens: fromJson, fixed: true };
  const context = CONTEXT.exec(bodyText);
  if (context) {
    const input = Number(context[2] ?? context[3]);
    return { maxTokens: Number(context[1]) - input, fixed: false };
  }
  return undefined;
}

const PYTHON_LE = /['"]type['"]:\s*['"]less_than_equal['"],\s*['"]loc['"]:\s*[([]\s*['"]body['"],\s*['"]max_tokens['"]\s*[)\]][^}]*?less than or equal to (\d+)/;
const PROSE_LE = /max_tokens\W[^.{}]{0,80}?less than or equal to (\d+)/i;
const CONTEXT = /maximum context length is (\d+) tokens(?:[^.]*?your request has (\d+) input tokens|[\s\S]{0,80}?\((\d+) in the messages)/i;

function jsonDetailCap(bodyText: string): number | undefined {
  for (const { type, loc, ctx } of jsonDetailErrors(bodyText)) {
    if (type === 'less_than_equal' && Array.isArray(loc) && loc.length === 2 && loc[0] === 'body' && loc[1] === 'max_tokens' && typeof ctx?.le === 'number') return ctx.le;
  }
  return undefined;
}
