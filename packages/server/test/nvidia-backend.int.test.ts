import { DEFAULT_API_KEY, expectedCompletion, mockDirective } from '@proxy/testkit';
import { startMockNim, type MockNimServer } from '@proxy/testkit/node';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../src/start-server.js';
import { LogCapture, PROXY_KEY } from './support/proxy.js';
import { isKeepalive } from './support/sse-client.js';

let nim: MockNimServer;
let server: RunningServer | undefined;
const logs = new LogCapture();

beforeAll(async () => {
  nim = await startMockNim({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await nim.close();
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  nim.reset();
});

/** A backend named `nvidia` (its type defaults to its name), its key from NVIDIA_API_KEY in the env given. */
async function start(extra: Record<string, unknown> = {}): Promise<OpenAI> {
  server = await startServer(
    { port: 0, auth: { api_keys: [PROXY_KEY] }, backends: { nvidia: { api_url: nim.url } }, ...extra },
    { env: { NVIDIA_API_KEY: DEFAULT_API_KEY }, logDestination: logs },
  );
  return new OpenAI({ baseURL: `${server.url}/v1`, apiKey: PROXY_KEY, maxRetries: 0 });
}

describe('the nvidia backend against the mock NIM', () => {
  it('lists the NIM catalog and completes through the strict schema (max_completion_tokens, stream_options)', async () => {
    const client = await start();
    const models = await client.models.list();
    expect(models.data.map((model) => model.id)).toContain('nvidia:meta/llama3-70b-instruct');

    const request = {
      model: 'nvidia:meta/llama3-70b-instruct',
      messages: [{ role: 'user' as const, content: 'Hello proxy' }],
      max_completion_tokens: 200,
    };
    const completion = await client.chat.completions.create(request);
    const expected = expectedCompletion({ ...request, model: 'meta/llama3-70b-instruct' });
    expect(completion.choices[0]?.message.content).toBe(expected.content);

    const stream = await client.chat.completions.create({ ...request, stream: true, stream_options: { include_usage: true } });
    let content = '';
    let usage: unknown;
    for await (const chunk of stream) {
      content += chunk.choices[0]?.delta?.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(content).toBe(expected.content);
    expect(usage).toMatchObject({ total_tokens: expected.usage.total_tokens });
    expect(nim.requests.to('/chat/completions').every((entry) => !('stream_options' in (entry.body as object)))).toBe(true);
  });

  it('keeps a silent reasoning stream alive and the SDK still gets exactly the content', async () => {
    const client = await start({ failure_handling: { keepalive_interval: 0.1 } });
    const text = `${mockDirective({ timing: { firstByteDelayMs: 700, chunkDelayMs: 30 } })}Think first`;
    const stream = await client.chat.completions.create({
      model: 'nvidia:meta/llama3-70b-instruct',
      messages: [{ role: 'user', content: text }],
      stream: true,
    });
    let content = '';
    let keepalives = 0;
    for await (const chunk of stream) {
      if (isKeepalive(JSON.stringify(chunk))) keepalives++;
      content += chunk.choices[0]?.delta?.content ?? '';
    }
    expect(keepalives).toBeGreaterThanOrEqual(2);
    expect(content).toBe(expectedCompletion({ model: 'meta/llama3-70b-instruct', messages: [{ role: 'user', content: text }] }).content);
  });

  it('turns a NIM problem-details error into the same status with an OpenAI error quoting the detail', async () => {
    const client = await start();
    const error = (await client.chat.completions
      .create({ model: 'nvidia:no/such-model', messages: [{ role: 'user', content: 'x' }] })
      .catch((caught: unknown) => caught)) as { status: number; message: string };
    expect(error.status).toBe(404);
    expect(error.message).toContain('Not found for account');
  });
});
