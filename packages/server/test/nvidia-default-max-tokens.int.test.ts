import { DEFAULT_API_KEY, DEFAULT_MODELS } from '@proxy/testkit';
import { startMockNim, type MockNimServer } from '@proxy/testkit/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../src/start-server.js';
import { LogCapture, PROXY_KEY } from './support/proxy.js';

// A request that names no output limit, over real HTTP against the mock NIM: the `nvidia` backend sends its default
// `max_tokens`, so a model that answers no choices without one (MiniMax on hosted NIM) answers, and a client that
// asks for no limit (Codex) is not cut off by NIM's low default. `default_max_tokens: 0` sends none.

const MINIMAX = 'minimaxai/minimax-m3';
let nim: MockNimServer;
let server: RunningServer;
let noDefault: RunningServer;

beforeAll(async () => {
  nim = await startMockNim({ port: 0, host: '127.0.0.1', models: [...DEFAULT_MODELS, { id: MINIMAX, noChoicesWithoutMaxTokens: true }] });
  const start = (backend: Record<string, unknown>) =>
    startServer(
      { port: 0, auth: { api_keys: [PROXY_KEY] }, backends: { nvidia: { api_url: nim.url, ...backend } } },
      { env: { NVIDIA_API_KEY: DEFAULT_API_KEY }, logDestination: new LogCapture() },
    );
  server = await start({});
  noDefault = await start({ default_max_tokens: 0 });
});
afterAll(async () => {
  await server.close();
  await noDefault.close();
  await nim.close();
});
afterEach(() => nim.reset());

const sentLimits = () => nim.requests.to('/chat/completions').map((entry) => (entry.body as Record<string, unknown>).max_tokens);

async function post(proxy: RunningServer, path: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${proxy.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${PROXY_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe('a request that names no output limit, to an nvidia backend', () => {
  it('is sent max_tokens 16384, so a model that answers no choices without a limit answers', async () => {
    const { status, json } = await post(server, '/v1/chat/completions', { model: `nvidia:${MINIMAX}`, messages: [{ role: 'user', content: 'Hi' }] });
    expect(status).toBe(200);
    expect(json.choices).toEqual([expect.objectContaining({ message: expect.objectContaining({ role: 'assistant' }) })]);
    expect(sentLimits()).toEqual([16384]);
  });

  it("keeps the client's own limit, and a Responses request without max_output_tokens (Codex) gets the default", async () => {
    expect((await post(server, '/v1/chat/completions', { model: `nvidia:${MINIMAX}`, max_completion_tokens: 50, messages: [{ role: 'user', content: 'Hi' }] })).status).toBe(200);
    expect((await post(server, '/v1/responses', { model: 'nvidia:meta/llama3-70b-instruct', input: 'Hi' })).status).toBe(200);
    expect(sentLimits()).toEqual([50, 16384]);
  });

  it('is sent none with default_max_tokens: 0, and the model answers as NIM does then: no choices', async () => {
    const { status, json } = await post(noDefault, '/v1/chat/completions', { model: `nvidia:${MINIMAX}`, messages: [{ role: 'user', content: 'Hi' }] });
    expect(status).toBe(200);
    expect(json.choices).toEqual([]);
    expect(sentLimits()).toEqual([undefined]);
  });
});
