import { describe, expect, it } from 'vitest';
import { resolveModel, type RoutingTable } from './resolve-model.js';

const table: RoutingTable = {
  backends: new Set(['nvidia', 'local']),
  defaultBackend: 'nvidia',
  knownTypes: new Set(['nvidia', 'openai']),
};

describe('resolveModel', () => {
  it.each([
    ['nvidia:meta/llama3-70b', { backend: 'nvidia', model: 'meta/llama3-70b' }],
    ['local:org/model:tag', { backend: 'local', model: 'org/model:tag' }],
    ['local:nvidia:x', { backend: 'local', model: 'nvidia:x' }],
    ['meta/llama3-70b', { backend: 'nvidia', model: 'meta/llama3-70b' }],
    ['llama3:8b', { backend: 'nvidia', model: 'llama3:8b' }],
    [':odd', { backend: 'nvidia', model: ':odd' }],
  ])('%s', (requested, route) => {
    expect(resolveModel(requested, table)).toEqual(route);
  });

  it('rejects a known backend type that is not configured, naming the configured backends', () => {
    expect(() => resolveModel('openai:gpt-4o', table)).toThrow("Unknown backend 'openai' in model 'openai:gpt-4o'. Configured backends: nvidia, local");
  });

  it('rejects a backend prefix with no model', () => {
    expect(() => resolveModel('local:', table)).toThrow("no model id after 'local:'");
  });
});
