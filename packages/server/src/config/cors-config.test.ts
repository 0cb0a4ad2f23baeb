import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '../cli/parse-cli-args.js';
import { loadConfig } from './load-config.js';

const load = (argv: string[], env: Record<string, string> = {}) =>
  loadConfig({ cli: parseCliArgs(argv).layer, env, cwd: '/nonexistent-dir-for-config' }).config;

describe('cors.origins', () => {
  it('is off by default, and set by PROXY_CORS_ORIGINS or --cors-origins (comma-separated), the flag winning', () => {
    expect(load([]).cors).toEqual({ origins: [] });
    expect(load([], { PROXY_CORS_ORIGINS: 'https://a.example, http://localhost:3000' }).cors.origins).toEqual(['https://a.example', 'http://localhost:3000']);
    expect(load(['--cors-origins', '*'], { PROXY_CORS_ORIGINS: 'https://a.example' }).cors.origins).toEqual(['*']);
  });
});
