import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runDemo, type Demo } from './demo.js';

describe('the demo', () => {
  let demo: Demo;
  const logLines: string[] = [];
  beforeAll(async () => {
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    demo = await runDemo({ PROXY_PORT: '0' }, { write: (line: string) => logLines.push(line) });
    vi.restoreAllMocks();
  });
  afterAll(async () => {
    await demo?.close();
  });

  it('serves the proxy in front of the mock NIM with the printed key', async () => {
    const client = new OpenAI({ baseURL: demo.baseURL, apiKey: demo.proxyKey, maxRetries: 0 });
    const models = await client.models.list();
    expect(models.data.map((model) => model.id)).toContain('nvidia:meta/llama3-70b-instruct');
    const completion = await client.chat.completions.create({
      model: 'nvidia:meta/llama3-70b-instruct',
      messages: [{ role: 'user', content: 'ping' }],
    });
    expect(completion.choices[0]?.message.content).toBeTruthy();
  });

  it("shows the proxy's log lines: the start-up line and one per request, the demo's own streamed answer first", () => {
    const records = logLines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records.find((record) => String(record.msg).startsWith('nim-proxy '))).toMatchObject({ proxy_keys: 1 });
    expect(records.find((record) => record.msg === 'request completed')).toMatchObject({ route: '/v1/chat/completions', status: 200, stream: true });
  });

  it("answers Claude Code's and Codex's own model names through the demo's aliases", async () => {
    const messages = await fetch(`${demo.baseURL}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': demo.proxyKey, 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'claude-sonnet-4-5-20250929', max_tokens: 64, messages: [{ role: 'user', content: 'ping' }] }),
    });
    expect(messages.status).toBe(200);
    expect(await messages.json()).toMatchObject({ type: 'message', model: 'claude-sonnet-4-5-20250929', stop_reason: 'end_turn' });
    const client = new OpenAI({ baseURL: demo.baseURL, apiKey: demo.proxyKey, maxRetries: 0 });
    const response = await client.responses.create({ model: 'gpt-5-codex', input: 'ping' });
    expect(response.output_text).toBeTruthy();
  });

  it('answers an agent CLI in text, not by calling the first tool it offers with the user\'s words', async () => {
    // Codex's first tool is a shell: a mock that called it would have the CLI run whatever the user typed.
    const bash = { name: 'Bash', description: 'Runs a command', input_schema: { type: 'object', properties: { command: { type: 'string' } }, required: ['command'] } };
    const messages = await fetch(`${demo.baseURL}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': demo.proxyKey, 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 256, tools: [bash], messages: [{ role: 'user', content: 'ls -la' }] }),
    });
    expect(await messages.json()).toMatchObject({ stop_reason: 'end_turn', content: [{ type: 'text', text: 'You said: ls -la' }] });
  });

  it("lists claude-nim-demo for Claude Code's gateway model discovery", async () => {
    const listed = await fetch(`${demo.baseURL}/models?limit=1000`, { headers: { 'x-api-key': demo.proxyKey, 'anthropic-version': '2023-06-01' } });
    const page = (await listed.json()) as { data: { id: string; type: string }[] };
    expect(page.data.filter((model) => /claude|anthropic/i.test(model.id))).toEqual([expect.objectContaining({ id: 'claude-nim-demo', type: 'model' })]);
  });

  it("embeds OpenAI's embedding model names with the mock's embedding model", async () => {
    const client = new OpenAI({ baseURL: demo.baseURL, apiKey: demo.proxyKey, maxRetries: 0 });
    const embeddings = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['ping', 'pong'] });
    expect(embeddings.data.map((item) => item.embedding.length)).toEqual([16, 16]);
  });

  it('refuses a client without the key', async () => {
    const client = new OpenAI({ baseURL: demo.baseURL, apiKey: 'wrong', maxRetries: 0 });
    await expect(client.models.list()).rejects.toMatchObject({ status: 401 });
  });
});

describe("the demo's own output", () => {
  it("prints the proxy's log lines after the streamed answer, never inside it", async () => {
    const written: string[] = [];
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    let demo: Demo | undefined;
    try {
      demo = await runDemo({ PROXY_PORT: '0' });
    } finally {
      vi.restoreAllMocks();
    }
    await demo.close();
    const output = written.join('');
    const answer = output.slice(output.indexOf('Streaming one answer'), output.indexOf('Serving until Ctrl-C'));
    expect(answer).toContain('You said:');
    expect(answer).not.toContain('  log ');
    // The stream's request line was held, not dropped: it follows the answer.
    const after = output.slice(output.indexOf('Serving until Ctrl-C'));
    expect(after).toMatch(/ {2}log \{.*"route":"\/v1\/chat\/completions".*"stream":true/);
  });
});
