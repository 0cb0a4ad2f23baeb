import { continuationText, DEFAULT_API_KEY, DEFAULT_MODELS, replyText } from '@proxy/testkit';
import { startMockNim, type MockNimServer } from '@proxy/testkit/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../src/start-server.js';
import { LogCapture, PROXY_KEY } from './support/proxy.js';

// An Anthropic prefill (the conversation ends with the assistant's own text) over real HTTP, against the mock NIM:
// a vLLM-style model that continues it, and a model whose strict schema refuses vLLM's chat-template controls,
// one field per answer (the OpenAI-shaped 400 names the first only).

const STRICT = 'acme/strict-schema';
let nim: MockNimServer;
let server: RunningServer;

beforeAll(async () => {
  nim = await startMockNim({
    port: 0,
    host: '127.0.0.1',
    models: [...DEFAULT_MODELS, { id: STRICT, rejectFields: ['continue_final_message', 'add_generation_prompt'] }],
    validationErrorStyle: 'openai-400',
  });
  server = await startServer(
    { port: 0, auth: { api_keys: [PROXY_KEY] }, backends: { nvidia: { api_url: nim.url } } },
    { env: { NVIDIA_API_KEY: DEFAULT_API_KEY }, logDestination: new LogCapture() },
  );
});
afterAll(async () => {
  await server.close();
  await nim.close();
});
afterEach(() => nim.reset());

const prefilled = (model: string, prefill: unknown) => ({
  model: `nvidia:${model}`,
  max_tokens: 200,
  messages: [
    { role: 'user', content: 'Give me JSON' },
    { role: 'assistant', content: prefill },
  ],
});

async function messages(body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${server.url}/v1/messages`, {
    method: 'POST',
    headers: { 'x-api-key': PROXY_KEY, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

const sentBodies = () => nim.requests.to('/chat/completions').map((entry) => entry.body as Record<string, unknown>);
const textOf = (json: Record<string, unknown>) => (json.content as { type: string; text?: string }[]).map((block) => block.text ?? '').join('');

describe('POST /v1/messages with a prefill', () => {
  it('reaches NIM with the prefill last, continue_final_message and no generation prompt, and answers only the continuation', async () => {
    const { status, json } = await messages(prefilled('meta/llama3-70b-instruct', '{'));
    expect(status).toBe(200);
    expect(textOf(json)).toBe(continuationText('Give me JSON'));
    const [sent, ...more] = sentBodies();
    expect(more).toHaveLength(0);
    expect(sent).toMatchObject({ continue_final_message: true, add_generation_prompt: false });
    expect((sent!.messages as unknown[]).at(-1)).toEqual({ role: 'assistant', content: '{' });
  });

  it("still answers 200 when the model's strict schema refuses both controls, one per answer: they go, the prefill is answered as before", async () => {
    const first = await messages(prefilled(STRICT, '{'));
    expect(first.status).toBe(200);
    expect(textOf(first.json)).toBe(replyText('Give me JSON'));
    const second = await messages(prefilled(STRICT, '{'));
    expect(second.status).toBe(200);
    // One refused call, its retry without either field, then the model's refusal remembered: no refused call again.
    expect(sentBodies().map((body) => ['continue_final_message' in body, 'add_generation_prompt' in body])).toEqual([
      [true, true],
      [false, false],
      [false, false],
    ]);
  });

  it("refuses a prefill that ends in whitespace with Anthropic's 400, and NIM is not called", async () => {
    const { status, json } = await messages(prefilled('meta/llama3-70b-instruct', '{\n'));
    expect(status).toBe(400);
    expect(json).toEqual({ type: 'error', error: { type: 'invalid_request_error', message: 'messages: final assistant content cannot end with trailing whitespace' } });
    expect(sentBodies()).toHaveLength(0);
  });
});
