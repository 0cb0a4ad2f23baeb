import { ProxyError } from '@proxy/core';
import { describe, expect, it } from 'vitest';
import type { ListedModel } from '../../routes/model-listing.js';
import { anthropicModelPage, toAnthropicModel } from './model-list.js';

const models: ListedModel[] = ['a', 'b', 'c', 'd', 'e'].map((id) => ({ id, backend: 'nvidia', created: 1_765_000_000 }));
const ids = (page: { data: { id: string }[] }) => page.data.map((model) => model.id);

function refusal(query: unknown): ProxyError {
  try {
    anthropicModelPage(models, query);
  } catch (error) {
    if (ProxyError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('the page was answered');
}

describe('anthropicModelPage', () => {
  it("answers Anthropic's default page of 20, and everything Claude Code's discovery asks for with limit=1000", () => {
    expect(anthropicModelPage(models, {})).toEqual({
      data: models.map(toAnthropicModel),
      has_more: false,
      first_id: 'a',
      last_id: 'e',
    });
    const many: ListedModel[] = Array.from({ length: 25 }, (_, i) => ({ id: `m${i}`, backend: 'nvidia', created: 0 }));
    const first = anthropicModelPage(many, {});
    expect(first.data).toHaveLength(20);
    expect(first.has_more).toBe(true);
    expect(anthropicModelPage(many, { limit: '1000' }).data).toHaveLength(25);
  });

  it('pages on after last_id, as the SDKs do, until has_more is false', () => {
    const seen: string[] = [];
    let page = anthropicModelPage(models, { limit: '2' });
    seen.push(...ids(page));
    while (page.has_more) {
      page = anthropicModelPage(models, { limit: '2', after_id: page.last_id });
      seen.push(...ids(page));
    }
    expect(seen).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(page).toMatchObject({ first_id: 'e', last_id: 'e', has_more: false });
  });

  it('pages backwards with before_id alone, and between two cursors with both', () => {
    expect(anthropicModelPage(models, { limit: '2', before_id: 'd' })).toMatchObject({ first_id: 'b', last_id: 'c', has_more: true });
    expect(anthropicModelPage(models, { limit: '2', before_id: 'c' })).toMatchObject({ first_id: 'a', last_id: 'b', has_more: false });
    const between = anthropicModelPage(models, { after_id: 'a', before_id: 'e' });
    expect(ids(between)).toEqual(['b', 'c', 'd']);
    expect(between.has_more).toBe(false);
    const empty = anthropicModelPage(models, { after_id: 'e' });
    expect(empty).toEqual({ data: [], has_more: false, first_id: null, last_id: null });
  });

  it('refuses a limit out of bounds or not a number, and a cursor that names no model, naming the parameter', () => {
    for (const limit of ['0', '1001', 'ten', '2.5']) {
      const error = refusal({ limit });
      expect(error.status).toBe(400);
      expect(error.param).toBe('limit');
    }
    const cursor = refusal({ after_id: 'gone' });
    expect(cursor.param).toBe('after_id');
    expect(cursor.message).toContain("'gone'");
    expect(refusal({ before_id: 'gone' }).param).toBe('before_id');
  });
});

describe('toAnthropicModel', () => {
  it("gives every field of Anthropic's ModelInfo, and an alias a description naming where it routes (Claude Code's picker shows it)", () => {
    expect(toAnthropicModel({ id: 'nvidia:meta/llama3-70b', backend: 'nvidia', created: 1_765_000_000 })).toEqual({
      type: 'model',
      id: 'nvidia:meta/llama3-70b',
      display_name: 'nvidia:meta/llama3-70b',
      created_at: '2025-12-06T05:46:40Z',
      // Anthropic's ModelInfo has these always; what the proxy cannot know is null.
      capabilities: null,
      lifecycle: 'active',
      line: null,
      deprecated_at: null,
      retires_at: null,
      max_input_tokens: null,
      max_tokens: null,
    });
    expect(toAnthropicModel({ id: 'a', backend: 'nvidia', created: 0, maxTokens: 8192 }).max_tokens).toBe(8192);
    expect(toAnthropicModel({ id: 'claude-qwen-coder', backend: 'nvidia', created: 0, routesTo: 'nvidia:qwen/qwen3-coder' })).toMatchObject({
      id: 'claude-qwen-coder',
      description: 'Routed by the proxy to nvidia:qwen/qwen3-coder',
    });
  });
});
