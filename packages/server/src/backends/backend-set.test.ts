import { afterEach, describe, expect, it } from 'vitest';
import { resolveConfig } from '../config/resolve-config.js';
import { BackendRegistry, BUILTIN_BACKENDS } from './backend-registry.js';
import { BackendSet } from './backend-set.js';

describe('BackendSet.route', () => {
  let backends: BackendSet | undefined;
  afterEach(async () => {
    await backends?.close();
  });

  function build(): BackendSet {
    const config = resolveConfig({
      backends: {
        nvidia: { type: 'nvidia', api_url: 'http://127.0.0.1:9/v1', api_key: 'nvapi-test-key' },
        local: { type: 'openai', api_url: 'http://127.0.0.1:9/v1' },
      },
      default_backend: 'nvidia',
    });
    backends = new BackendSet(config, new BackendRegistry(BUILTIN_BACKENDS), { env: {} }, []);
    return backends;
  }

  it('routes by backend prefix, and a bare id to the default backend', () => {
    const set = build();
    expect(set.route('local:llama3:8b')).toMatchObject({ backend: 'local', model: 'llama3:8b', connector: set.get('local') });
    expect(set.route('meta/llama3-70b-instruct')).toMatchObject({ backend: 'nvidia', model: 'meta/llama3-70b-instruct', connector: set.get('nvidia') });
  });

  it('still throws for an unknown backend prefix every time', () => {
    const set = build();
    for (let i = 0; i < 2; i++) expect(() => set.route('openai:gpt-4o')).toThrow(/Unknown backend 'openai'/);
  });
});
