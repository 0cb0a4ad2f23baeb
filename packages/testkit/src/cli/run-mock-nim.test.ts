import { describe, expect, it } from 'vitest';
import { TestClient } from '../test-support/http-client.js';
import { MOCK_NIM_USAGE, parseMockNimArgs, runMockNim } from './run-mock-nim.js';

describe('mock-nim CLI', () => {
  it('parses the options into server options', () => {
    expect(
      parseMockNimArgs(['--port', '9000', '--host', '0.0.0.0', '--api-key', 'k', '--first-byte-delay-ms', '5', '--chunk-delay-ms', '7']),
    ).toEqual({
      help: false,
      options: { port: 9000, host: '0.0.0.0', apiKey: 'k', scenario: { timing: { firstByteDelayMs: 5, chunkDelayMs: 7 } } },
    });
    expect(parseMockNimArgs([])).toMatchObject({ options: { port: 8001, host: '127.0.0.1', apiKey: 'nvapi-mock-key' } });
    expect(parseMockNimArgs(['--no-auth'])).toMatchObject({ options: { apiKey: false } });
    expect(parseMockNimArgs(['-h'])).toEqual({ help: true });
  });

  it('rejects bad values and unknown flags', () => {
    expect(() => parseMockNimArgs(['--port', 'x'])).toThrow('--port expects a non-negative integer');
    expect(() => parseMockNimArgs(['--chunk-delay-ms', '-1'])).toThrow();
    expect(() => parseMockNimArgs(['--nope'])).toThrow();
  });

  it('prints help', async () => {
    const lines: string[] = [];
    expect(await runMockNim(['--help'], { log: (line) => lines.push(line) })).toBeUndefined();
    expect(lines).toEqual([MOCK_NIM_USAGE]);
    // The help names every route the mock serves (embeddings came later and were missing from it).
    for (const route of ['/v1/models', '/v1/chat/completions', '/v1/embeddings']) expect(MOCK_NIM_USAGE).toContain(route);
  });

  it('starts the server, prints its URL and applies the delays', async () => {
    const lines: string[] = [];
    const server = await runMockNim(['--port', '0', '--first-byte-delay-ms', '120'], { log: (line) => lines.push(line) });
    const client = new TestClient();
    try {
      expect(server).toBeDefined();
      expect(lines).toEqual([`mock-nim listening on ${server?.url} (key: nvapi-mock-key)`]);
      const start = performance.now();
      const response = await client.get(`${server?.url}/models`);
      expect(performance.now() - start).toBeGreaterThanOrEqual(100);
      expect(response.statusCode).toBe(200);
      await response.body.dump();
    } finally {
      await server?.close();
      await client.close();
    }
  });
});
