import { formatZodError, InvalidRequestError } from '@proxy/core';
import { z } from 'zod';
import type { ListedModel } from '../../routes/model-listing.js';

/**
 * A model as Anthropic's `GET /v1/models` has it (its SDK's `ModelInfo`): what the proxy cannot know of a NIM model
 * (capabilities, context window, a Claude model line, deprecation) is null, as Anthropic's API leaves it when unknown.
 * `description`, not Anthropic's, is read by Claude Code's model picker.
 */
export interface AnthropicModel {
  type: 'model';
  id: string;
  display_name: string;
  /** RFC 3339. */
  created_at: string;
  capabilities: null;
  lifecycle: 'active';
  line: null;
  deprecated_at: null;
  retires_at: null;
  max_input_tokens: null;
  /** The `max_tokens` cap of the model's `model_settings`, when it has one. */
  max_tokens: number | null;
  description?: string;
}

/** One page of Anthropic's model list: its SDKs page on with `after_id` = `last_id` while `has_more`. */
export interface AnthropicModelPage {
  data: AnthropicModel[];
  has_more: boolean;
  first_id: string | null;
  last_id: string | null;
}

// Anthropic's paging parameters, with its bounds and default page size (its SDKs list every page by default).
const pageQuerySchema = z.looseObject({
  limit: z.coerce.number().int().min(1).max(1000).default(20),
  after_id: z.string().min(1).optional(),
  before_id: z.string().min(1).optional(),
});

export function toAnthropicModel(model: ListedModel): AnthropicModel {
  const shown: AnthropicModel = {
    type: 'model',
    id: model.id,
    display_name: model.id,
    created_at: new Date(model.created * 1000).toISOString().replace('.000Z', 'Z'),
    capabilities: null,
    lifecycle: 'active',
    line: null,
    deprecated_at: null,
    retires_at: null,
    max_input_tokens: null,
    max_tokens: model.maxTokens ?? null,
  };
  if (model.routesTo !== undefined) shown.description = `Routed by the proxy to ${model.routesTo}`;
  return shown;
}

/**
 * The page `query` asks for. A cursor that names no listed model is a 400 naming it: the list may have changed
 * under a client paging through it, and an empty page would read as the end of the list.
 */
export function anthropicModelPage(models: readonly ListedModel[], query: unknown): AnthropicModelPage {
  const parsed = pageQuerySchema.safeParse(query ?? {});
  if (!parsed.success) {
    const { message, param } = formatZodError(parsed.error);
    throw new InvalidRequestError(message, { param });
  }
  const { limit, after_id: afterId, before_id: beforeId } = parsed.data;
  const start = afterId === undefined ? 0 : indexOf(models, afterId, 'after_id') + 1;
  const end = beforeId === undefined ? models.length : indexOf(models, beforeId, 'before_id');
  // `before_id` alone pages backwards: the `limit` models just before it.
  const backwards = beforeId !== undefined && afterId === undefined;
  const from = backwards ? Math.max(start, end - limit) : start;
  const to = backwards ? end : Math.min(end, start + limit);
  const data = to > from ? models.slice(from, to).map(toAnthropicModel) : [];
  return {
    data,
    has_more: backwards ? from > start : to < end,
    first_id: data[0]?.id ?? null,
    last_id: data.at(-1)?.id ?? null,
  };
}

function indexOf(models: readonly ListedModel[], id: string, param: string): number {
  const index = models.findIndex((model) => model.id === id);
  if (index === -1) throw new InvalidRequestError(`Invalid '${param}': no listed model has the id '${id}'`, { param });
  return index;
}
