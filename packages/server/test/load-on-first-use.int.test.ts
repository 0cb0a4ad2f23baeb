import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { freePort } from './support/free-port.js';

const serverEntry = new URL('../dist/index.js', import.meta.url).href;

/**
 * Run in a process of its own (a test worker may have loaded anything): builds the proxy from the built package,
 * reports which of the large, seldom needed dependencies are in the module cache, answers a token count, and
 * reports again.
 */
const PROBE = `
import { createRequire } from 'node:module';
import { sep } from 'node:path';
const { buildServer } = await import(process.env.SERVER_ENTRY);
const cache = createRequire(import.meta.url).cache;
const loaded = (name) => Object.keys(cache).some((file) => file.includes(sep + name + sep));
const report = () => ({ tokenizer: loaded('gpt-tokenizer'), redis: loaded('ioredis') });
const config = JSON.parse(process.env.PROXY_CONFIG);
const app = buildServer(config, { env: {}, logDestination: { write() {} } });
await app.ready();
const atStart = report();
const response = await app.inject({
  method: 'POST',
  url: '/v1/messages/count_tokens',
  payload: { model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'How many tokens is this?' }] },
});
const afterCount = report();
await app.close();
process.stdout.write(JSON.stringify({ atStart, afterCount, status: response.statusCode, body: response.json() }));
`;

async function probe(config: object): Promise<{ atStart: object; afterCount: object; status: number; body: { input_tokens?: unknown } }> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', PROBE], {
    env: { PATH: process.env.PATH, SERVER_ENTRY: serverEntry, PROXY_CONFIG: JSON.stringify(config) },
  });
  return JSON.parse(stdout) as never;
}

describe('large dependencies load on first use', () => {
  it('loads the tokenizer at the first token count and never the Redis client without redis_url', async () => {
    const closed = await freePort();
    const result = await probe({
      auth: { disabled: true },
      backends: { nvidia: { type: 'nvidia', api_url: `http://127.0.0.1:${closed}/v1`, api_key: 'nvapi-probe' } },
    });
    expect(result.atStart).toEqual({ tokenizer: false, redis: false });
    expect(result.status).toBe(200);
    expect(result.body.input_tokens).toBeGreaterThan(0);
    expect(result.afterCount).toEqual({ tokenizer: true, redis: false });
  }, 30_000);

  it('loads the Redis client when redis_url paces a key pool', async () => {
    const [closed, noRedis] = [await freePort(), await freePort()];
    const result = await probe({
      auth: { disabled: true },
      redis_url: `redis://127.0.0.1:${noRedis}`,
      backends: {
        nvidia: { type: 'nvidia', api_url: `http://127.0.0.1:${closed}/v1`, api_key: 'nvapi-probe', rate_limit: { requests_per_minute: 40 } },
      },
    });
    expect(result.atStart).toEqual({ tokenizer: false, redis: true });
  }, 30_000);
});
