import { defineConfig } from 'vitest/config';

/**
 * Every package's vitest config. The JSON report feeds `tooling/scripts/run-tests.mjs`, which prints the one
 * `tests: N passed, N failed` line CI reads.
 */
export function defineProxyConfig(overrides = {}) {
  return defineConfig({
    ...overrides,
    test: {
      environment: 'node',
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      reporters: ['default', ['json', { outputFile: '.vitest/report.json' }]],
      testTimeout: 20_000,
      hookTimeout: 20_000,
      ...overrides.test,
    },
  });
}
