import type { Connector } from '@proxy/core';
import type { FastifyBaseLogger } from 'fastify';
import { describe, expect, it } from 'vitest';
import { manualCatalogTimers } from '../../test/support/manual-catalog-timers.js';
import { CatalogRefresher } from './catalog-refresher.js';

/** A connector whose catalog reads answer, one after the other, the lists or errors given. */
function scriptedConnector(answers: (string[] | Error)[]): Connector & { reads: number } {
  let models: readonly string[] = [];
  const connector = {
    name: 'b',
    type: 'openai',
    reads: 0,
    async initialize() {
      const answer = answers[connector.reads++] ?? answers.at(-1)!;
      if (answer instanceof Error) {
        models = [];
        throw answer;
      }
      models = answer;
    },
    getAvailableModels: () => models,
  };
  return connector as unknown as Connector & { reads: number };
}

function logger() {
  const lines: { level: string; fields: Record<string, unknown>; msg: string }[] = [];
  const at = (level: string) => (fields: Record<string, unknown>, msg: string) => void lines.push({ level, fields, msg });
  return { lines, log: { info: at('info'), warn: at('warn'), debug: at('debug') } as unknown as FastifyBaseLogger };
}

describe('CatalogRefresher', () => {
  it('retries a catalog that failed at start with backoff until it loads, then refreshes it every refreshMs', async () => {
    const down = new Error('connect ECONNREFUSED 127.0.0.1:9 with key nvapi-secret');
    const connector = scriptedConnector([down, down, down, ['a/b'], ['a/b', 'c/d']]);
    const timers = manualCatalogTimers();
    const { lines, log } = logger();
    const catalog = new CatalogRefresher({ name: 'b', connector, refreshMs: 600_000, timers, secrets: ['nvapi-secret'] });

    await catalog.start(log);
    expect(catalog.models).toEqual([]);
    expect(catalog.failing).toBe(true);
    expect(timers.pending).toEqual([1_000]);
    expect(await timers.fire()).toBe(1_000);
    expect(await timers.fire()).toBe(2_000);
    expect(catalog.models).toEqual([]);
    expect(await timers.fire()).toBe(4_000);
    expect(catalog.models).toEqual(['a/b']);
    expect(catalog.failing).toBe(false);
    expect(catalog.loadedAt).toBe(Math.floor(timers.nowMs / 1000));
    expect(timers.pending).toEqual([600_000]);
    await timers.fire();
    expect(catalog.models).toEqual(['a/b', 'c/d']);
    expect(connector.reads).toBe(5);

    // One warning for the run of failures (the key scrubbed), the retries at debug, and the recovery at info.
    expect(lines.filter((line) => line.level === 'warn')).toHaveLength(1);
    expect(JSON.stringify(lines)).not.toContain('nvapi-secret');
    expect(lines.find((line) => line.level === 'info')).toMatchObject({ msg: 'backend ready', fields: { models: 1, failed_reads: 3 } });
    catalog.close();
    expect(timers.pending).toEqual([]);
  });

  it('keeps the last good catalog when a refresh fails, and caps the backoff at a minute', async () => {
    const connector = scriptedConnector([['a/b'], ...Array.from({ length: 10 }, () => new Error('503'))]);
    const timers = manualCatalogTimers();
    const catalog = new CatalogRefresher({ name: 'b', connector, refreshMs: 600_000, timers, secrets: [] });
    await catalog.start(logger().log);
    const delays: number[] = [];
    for (let i = 0; i < 9; i++) delays.push(await timers.fire());
    expect(delays).toEqual([600_000, 1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000]);
    expect(catalog.models).toEqual(['a/b']);
    catalog.close();
  });

  it('reads once with refreshMs 0, and schedules nothing after close', async () => {
    const timers = manualCatalogTimers();
    const once = new CatalogRefresher({ name: 'b', connector: scriptedConnector([['a/b']]), refreshMs: 0, timers, secrets: [] });
    await once.start(logger().log);
    expect(timers.pending).toEqual([]);

    const failing = new CatalogRefresher({ name: 'b', connector: scriptedConnector([new Error('down')]), refreshMs: 0, timers, secrets: [] });
    await failing.start(logger().log);
    expect(timers.pending).toEqual([1_000]);
    failing.close();
    expect(timers.pending).toEqual([]);
  });
});
