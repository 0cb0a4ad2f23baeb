import { http, HttpResponse } from 'msw';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_API_KEY } from '../handlers/auth.js';
import { expectedCompletion } from '../handlers/completion-content.js';
import { mockDirective } from '../handlers/directive.js';
import { TestClient } from '../test-support/http-client.js';
import { deltaText, streamChunks } from '../test-support/sse.js';
import { startMockNim, type MockNimServer } from './start-mock-nim.js';

const client = new TestClient();
let nim: MockNimServer;

beforeAll(async () => {
  nim = await startMockNim({ rejectFields: ['reasoning', 'frequency_penalty'] });
});
afterEach(() => nim.reset());
afterAll(async () => {
  await nim.close();
  await client.close();
});

const chat = (body: Record<string, unknown>) => ({
  model: 'meta/llama3-70b-instruct',
  messages: [{ role: 'user', content: 'hello mock' }],
  ...body,
});

describe('startMockNim', () => {
  it('listens on 127.0.0.1 with a /v1 base URL', () => {
    expect(nim.url).toBe(`http://127.0.0.1:${nim.port}/v1`);
    expect(nim.origin).toBe(`http://127.0.0.1:${nim.port}`);
    expect(nim.port).toBeGreaterThan(0);
  });

  describe('GET /v1/models', () => {
    it('lists the catalog without a key', async () => {
      const response = await client.get(`${nim.url}/models`);
      expect(response.statusCode).toBe(200);
      const body = (await response.body.json()) as { object: string; data: Array<Record<string, unknown>> };
      expect(body.object).toBe('list');
      expect(body.data.map((model) => model.id)).toEqual(
        expect.arrayContaining(['meta/llama3-70b-instruct', 'stepfun-ai/step-3.5-flash', 'deepseek-ai/deepseek-r1']),
      );
      expect(body.data[0]).toEqual({
        id: 'meta/llama3-70b-instruct',
        object: 'model',
        created: expect.any(Number),
        owned_by: 'meta',
      });
    });

    it('can require the key and serve a custom catalog', async () => {
      const strict = await startMockNim({ modelsRequireAuth: true, models: [{ id: 'acme/one', ownedBy: 'acme' }] });
      try {
        expect((await client.get(`${strict.url}/models`)).statusCode).toBe(401);
        const response = await client.get(`${strict.url}/models`, DEFAULT_API_KEY);
        expect(await response.body.json()).toEqual({
          object: 'list',
          data: [{ id: 'acme/one', object: 'model', created: 1_735_689_600, owned_by: 'acme' }],
        });
      } finally {
        await strict.close();
      }
    });
  });

  describe('auth', () => {
    it('answers 401 with WWW-Authenticate for a missing or wrong key', async () => {
      for (const key of [null, 'nvapi-wrong']) {
        const response = await client.post(`${nim.url}/chat/completions`, chat({}), { key });
        expect(response.statusCode).toBe(401);
        expect(response.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
        expect(await response.body.json()).toMatchObject({ status: 401, title: 'Unauthorized' });
      }
    });

    it('can answer 403 Authorization failed instead', async () => {
      const forbidding = await startMockNim({ authFailureStatus: 403, apiKey: ['k1', 'k2'] });
      try {
        const response = await client.post(`${forbidding.url}/chat/completions`, chat({}), { key: 'k3' });
        expect(response.statusCode).toBe(403);
        expect(await response.body.json()).toEqual({ status: 403, title: 'Forbidden', detail: 'Authorization failed' });
        expect((await client.post(`${forbidding.url}/chat/completions`, chat({}), { key: 'k2' })).statusCode).toBe(200);
      } finally {
        await forbidding.close();
      }
    });

    it("answers 401, as to a bad key, when the model is not enabled on the key's account", async () => {
      const entitled = await startMockNim({ apiKey: ['k1', 'k2'], models: [{ id: 'acme/one', keys: ['k2'] }, { id: 'acme/two' }] });
      try {
        const refused = await client.post(`${entitled.url}/chat/completions`, chat({ model: 'acme/one' }), { key: 'k1' });
        expect(refused.statusCode).toBe(401);
        expect(refused.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
        expect(await refused.body.json()).toMatchObject({ status: 401, title: 'Unauthorized' });
        for (const [model, key] of [['acme/one', 'k2'], ['acme/two', 'k1']] as const) {
          const response = await client.post(`${entitled.url}/chat/completions`, chat({ model }), { key });
          expect(response.statusCode).toBe(200);
          await response.body.dump();
        }
      } finally {
        await entitled.close();
      }
    });

    it('accepts anything with apiKey: false', async () => {
      const open = await startMockNim({ apiKey: false });
      try {
        const response = await client.post(`${open.url}/chat/completions`, chat({}), { key: null });
        expect(response.statusCode).toBe(200);
        await response.body.dump();
      } finally {
        await open.close();
      }
    });
  });

  describe('strict request schema', () => {
    it.each(['max_completion_tokens', 'stream_options', 'reasoning', 'frequency_penalty', 'made_up'])(
      'rejects %s with 422 problem details',
      async (field) => {
        const response = await client.post(`${nim.url}/chat/completions`, chat({ [field]: 1 }));
        expect(response.statusCode).toBe(422);
        const body = (await response.body.json()) as Record<string, string>;
        expect(body).toMatchObject({
          type: 'urn:inference-service:problem-details:bad-request',
          status: 422,
          title: 'Unprocessable Entity',
        });
        expect(body.detail).toBe(
          `[{'type': 'extra_forbidden', 'loc': ('body', '${field}'), 'msg': 'Extra inputs are not permitted', 'input': 1}]`,
        );
      },
    );

    it('accepts the known fields', async () => {
      const response = await client.post(
        `${nim.url}/chat/completions`,
        chat({ temperature: 0.2, top_p: 1, max_tokens: 50, stop: ['x'], seed: 1, presence_penalty: 0 }),
      );
      expect(response.statusCode).toBe(200);
      await response.body.dump();
    });

    it.each([
      ['message-400', { message: 'Validation: Unsupported parameter(s): `max_completion_tokens`' }],
      ['detail-400', { detail: { type: 'extra_forbidden', loc: ['body', 'max_completion_tokens'] } }],
      ['openai-400', { error: expect.objectContaining({ param: 'max_completion_tokens', type: 'invalid_request_error' }) }],
    ] as const)('answers 400 in the %s shape', async (validationErrorStyle, expected) => {
      const other = await startMockNim({ validationErrorStyle });
      try {
        const response = await client.post(`${other.url}/chat/completions`, chat({ max_completion_tokens: 9 }));
        expect(response.statusCode).toBe(400);
        expect(await response.body.json()).toEqual(expected);
      } finally {
        await other.close();
      }
    });

    it('rejects a field for one model only when its catalog entry says so', async () => {
      const picky = await startMockNim({
        models: [{ id: 'acme/picky', rejectFields: ['reasoning_effort'] }, { id: 'acme/easy' }],
        validationErrorStyle: 'message-400',
      });
      try {
        const refused = await client.post(`${picky.url}/chat/completions`, chat({ model: 'acme/picky', reasoning_effort: 'low' }));
        expect(refused.statusCode).toBe(400);
        expect(await refused.body.json()).toEqual({ message: 'Validation: Unsupported parameter(s): `reasoning_effort`' });
        for (const body of [chat({ model: 'acme/easy', reasoning_effort: 'low' }), chat({ model: 'acme/picky' })]) {
          const response = await client.post(`${picky.url}/chat/completions`, body);
          expect(response.statusCode).toBe(200);
          await response.body.dump();
        }
      } finally {
        await picky.close();
      }
    });

    it("continues a prefill when asked (vLLM's continue_final_message), and a strict model can refuse the controls", async () => {
      const strict = await startMockNim({
        models: [{ id: 'acme/vllm' }, { id: 'acme/strict', rejectFields: ['continue_final_message', 'add_generation_prompt'] }],
        validationErrorStyle: 'openai-400',
      });
      const prefill = (model: string) =>
        chat({ model, messages: [{ role: 'user', content: 'give JSON' }, { role: 'assistant', content: '{' }], continue_final_message: true, add_generation_prompt: false });
      try {
        const continued = await client.post(`${strict.url}/chat/completions`, prefill('acme/vllm'));
        expect(continued.statusCode).toBe(200);
        expect(((await continued.body.json()) as { choices: { message: { content: string } }[] }).choices[0]?.message.content).toBe(' (continued) You said: give JSON');
        const refused = await client.post(`${strict.url}/chat/completions`, prefill('acme/strict'));
        expect(refused.statusCode).toBe(400);
        // NIM's OpenAI-shaped 400 names one field per answer.
        expect(await refused.body.json()).toMatchObject({ error: { param: 'continue_final_message' } });
      } finally {
        await strict.close();
      }
    });

    it("lists a max_tokens over the model's cap with the refused fields in one answer, as pydantic does", async () => {
      const capped = await startMockNim({ models: [{ id: 'acme/capped', maxTokens: 100 }] });
      try {
        const response = await client.post(`${capped.url}/chat/completions`, chat({ model: 'acme/capped', store: true, max_tokens: 500 }));
        expect(response.statusCode).toBe(422);
        expect(((await response.body.json()) as { detail: string }).detail).toBe(
          "[{'type': 'extra_forbidden', 'loc': ('body', 'store'), 'msg': 'Extra inputs are not permitted', 'input': True}, " +
            "{'type': 'less_than_equal', 'loc': ('body', 'max_tokens'), 'msg': 'Input should be less than or equal to 100', 'input': 500, 'ctx': {'le': 100}}]",
        );
      } finally {
        await capped.close();
      }
    });

    it("refuses a prompt and max_tokens longer than the model's window in vLLM's words, and takes one that fits", async () => {
      const small = await startMockNim({ models: [{ id: 'acme/small', contextTokens: 10 }] });
      const ask = (words: number, maxTokens?: number) =>
        client.post(`${small.url}/chat/completions`, chat({ model: 'acme/small', messages: [{ role: 'user', content: Array(words).fill('word').join(' ') }], ...(maxTokens === undefined ? {} : { max_tokens: maxTokens }) }));
      try {
        const tooLong = await ask(12);
        expect(tooLong.statusCode).toBe(400);
        expect(await tooLong.body.json()).toEqual({
          object: 'error',
          message: "This model's maximum context length is 10 tokens. However, you requested 12 tokens (12 in the messages, 0 in the completion). Please reduce the length of the messages or completion.",
          type: 'BadRequestError',
          param: null,
          code: 400,
        });
        const withAnswer = await ask(8, 5);
        expect(withAnswer.statusCode).toBe(400);
        expect(((await withAnswer.body.json()) as { message: string }).message).toContain('you requested 13 tokens (8 in the messages, 5 in the completion)');
        const fits = await ask(8, 2);
        expect(fits.statusCode).toBe(200);
        await fits.body.dump();
      } finally {
        await small.close();
      }
    });

    it('can refuse a field nested in the tools, at its location, as NIM does for some agents', async () => {
      const nested = await startMockNim({ rejectToolFields: ['strict'] });
      const tool = (extra: Record<string, unknown>) => ({ type: 'function', function: { name: 'run', parameters: { type: 'object' }, ...extra } });
      try {
        const refused = await client.post(`${nested.url}/chat/completions`, chat({ tools: [tool({}), tool({ strict: true })] }));
        expect(refused.statusCode).toBe(422);
        expect(((await refused.body.json()) as { detail: string }).detail).toBe(
          "[{'type': 'extra_forbidden', 'loc': ('body', 'tools', 1, 'function', 'strict'), 'msg': 'Extra inputs are not permitted', 'input': True}]",
        );
        const answered = await client.post(`${nested.url}/chat/completions`, chat({ tools: [tool({})] }));
        expect(answered.statusCode).toBe(200);
        await answered.body.dump();
      } finally {
        await nested.close();
      }
    });

    it.each(['messages', 'model'])('answers 422 when %s is missing', async (field) => {
      const body = chat({});
      delete (body as Record<string, unknown>)[field];
      const response = await client.post(`${nim.url}/chat/completions`, body);
      expect(response.statusCode).toBe(422);
      const problem = (await response.body.json()) as { detail: string };
      expect(problem.detail).toContain(`'type': 'missing', 'loc': ('body', '${field}'), 'msg': 'Field required'`);
    });

    it('answers 422 json_invalid to a body that is not JSON', async () => {
      const response = await client.post(`${nim.url}/chat/completions`, '{"model":', { raw: true });
      expect(response.statusCode).toBe(422);
      expect(((await response.body.json()) as { detail: string }).detail).toContain('json_invalid');
    });
  });

  describe('models', () => {
    it('answers 404 with a function id for an unknown model', async () => {
      const response = await client.post(`${nim.url}/chat/completions`, chat({ model: 'nobody/nothing' }));
      expect(response.statusCode).toBe(404);
      const body = (await response.body.json()) as Record<string, string>;
      expect(body).toMatchObject({ status: 404, title: 'Not Found' });
      expect(body.detail).toMatch(/^Function '[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}': Not found for account 'mock-nim-account'$/);
    });

    it('answers 410 for a retired model', async () => {
      const response = await client.post(`${nim.url}/chat/completions`, chat({ model: 'meta/llama2-70b' }));
      expect(response.statusCode).toBe(410);
      expect(await response.body.json()).toMatchObject({ status: 410, title: 'Gone' });
    });

    it('answers 404 problem details for other paths', async () => {
      const response = await client.get(`${nim.url}/embeddings`);
      expect(response.statusCode).toBe(404);
      expect(await response.body.json()).toMatchObject({ status: 404, title: 'Not Found' });
    });
  });

  describe('JSON completion', () => {
    it('answers a deterministic chat.completion with consistent usage', async () => {
      const request = chat({});
      const response = await client.post(`${nim.url}/chat/completions`, request);
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('application/json');
      const expected = expectedCompletion(request);
      expect(await response.body.json()).toEqual({
        id: 'chatcmpl-mock-1',
        object: 'chat.completion',
        created: expect.any(Number),
        model: 'meta/llama3-70b-instruct',
        choices: [
          { index: 0, message: { role: 'assistant', content: 'You said: hello mock' }, logprobs: null, finish_reason: 'stop' },
        ],
        usage: { prompt_tokens: 2, completion_tokens: 4, total_tokens: 6 },
      });
      expect(expected.usage.total_tokens).toBe(6);
    });

    it('adds reasoning_content for reasoning models', async () => {
      const response = await client.post(`${nim.url}/chat/completions`, chat({ model: 'stepfun-ai/step-3.5-flash' }));
      const body = (await response.body.json()) as { choices: Array<{ message: Record<string, unknown> }> };
      expect(body.choices[0]?.message).toEqual({
        role: 'assistant',
        content: 'You said: hello mock',
        reasoning_content: 'Thinking about: hello mock',
      });
    });

    it('answers with tool_calls when tools are sent', async () => {
      const tools = [{ type: 'function', function: { name: 'search', parameters: { properties: { q: { type: 'string' } } } } }];
      const response = await client.post(`${nim.url}/chat/completions`, chat({ tools }));
      const body = (await response.body.json()) as { choices: Array<Record<string, unknown>> };
      expect(body.choices[0]).toMatchObject({
        finish_reason: 'tool_calls',
        message: {
          content: null,
          tool_calls: [{ id: 'call_mock_1_0', type: 'function', function: { name: 'search', arguments: '{"q":"hello mock"}' } }],
        },
      });
    });
  });

  describe('a model served without a tool-call parser', () => {
    it("answers vLLM's 400 to a request offering tools, unless tool_choice is none", async () => {
      const bare = await startMockNim({ models: [{ id: 'acme/no-tools', toolParser: false }] });
      const tools = [{ type: 'function', function: { name: 'run', parameters: { properties: {} } } }];
      try {
        for (const extra of [{ tools }, { tools, tool_choice: 'auto' }]) {
          const refused = await client.post(`${bare.url}/chat/completions`, chat({ model: 'acme/no-tools', ...extra }));
          expect(refused.statusCode).toBe(400);
          expect(await refused.body.json()).toMatchObject({ object: 'error', message: '"auto" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set', code: 400 });
        }
        for (const extra of [{}, { tools, tool_choice: 'none' }]) {
          const response = await client.post(`${bare.url}/chat/completions`, chat({ model: 'acme/no-tools', ...extra }));
          expect(response.statusCode).toBe(200);
          await response.body.dump();
        }
      } finally {
        await bare.close();
      }
    });
  });

  describe('a reasoning model that needs its reasoning back on tool-call turns', () => {
    it("answers DeepSeek's 400 to a tool-call turn whose assistant message lost its reasoning_content", async () => {
      const strict = await startMockNim({ models: [{ id: 'deepseek-ai/deepseek-v4', reasoning: 'reasoning_content', reasoningReplay: true }] });
      const call = { id: 'call_1', type: 'function', function: { name: 'read_file', arguments: '{}' } };
      const turn = (assistant: Record<string, unknown>) =>
        chat({
          model: 'deepseek-ai/deepseek-v4',
          messages: [
            { role: 'user', content: 'read it' },
            { role: 'assistant', content: '', tool_calls: [call], ...assistant },
            { role: 'tool', tool_call_id: 'call_1', content: 'text' },
          ],
        });
      try {
        const refused = await client.post(`${strict.url}/chat/completions`, turn({}));
        expect(refused.statusCode).toBe(400);
        expect(await refused.body.json()).toMatchObject({ error: { message: expect.stringContaining('Missing `reasoning_content` field in the assistant message at message index 1'), type: 'invalid_request_error' } });
        const answered = await client.post(`${strict.url}/chat/completions`, turn({ reasoning_content: 'I should read it' }));
        expect(answered.statusCode).toBe(200);
        await answered.body.dump();
      } finally {
        await strict.close();
      }
    });
  });

  describe('a model that answers no choices without max_tokens', () => {
    it('answers 200 with choices: [] when the request names no limit, and the answer when it does', async () => {
      const minimax = await startMockNim({ models: [{ id: 'minimaxai/minimax-m3', noChoicesWithoutMaxTokens: true }] });
      try {
        const empty = await client.post(`${minimax.url}/chat/completions`, chat({ model: 'minimaxai/minimax-m3' }));
        expect(empty.statusCode).toBe(200);
        expect(await empty.body.json()).toMatchObject({ object: 'chat.completion', choices: [] });
        const answered = await client.post(`${minimax.url}/chat/completions`, chat({ model: 'minimaxai/minimax-m3', max_tokens: 100 }));
        expect(await answered.body.json()).toMatchObject({ choices: [{ message: { role: 'assistant' }, finish_reason: 'stop' }] });
      } finally {
        await minimax.close();
      }
    });
  });

  describe('a model that writes its tool calls as MiniMax markup', () => {
    it('puts the calls in content and finishes with stop, as JSON and as a stream', async () => {
      const minimax = await startMockNim({ models: [{ id: 'minimaxai/minimax-m3', toolMarkup: 'minimax' }] });
      const tools = [{ type: 'function', function: { name: 'run', parameters: { properties: { command: { type: 'string' }, timeout: { type: 'integer' } } } } }];
      const markup = '<minimax:tool_call>\n<invoke name="run">\n<parameter name="command">hello mock</parameter>\n<parameter name="timeout">42</parameter>\n</invoke>\n</minimax:tool_call>';
      try {
        const response = await client.post(`${minimax.url}/chat/completions`, chat({ model: 'minimaxai/minimax-m3', tools }));
        const body = (await response.body.json()) as { choices: Array<Record<string, unknown>> };
        expect(body.choices[0]).toMatchObject({ finish_reason: 'stop', message: { content: markup } });
        expect((body.choices[0]!.message as Record<string, unknown>).tool_calls).toBeUndefined();
        const streamed = await client.post(`${minimax.url}/chat/completions`, chat({ model: 'minimaxai/minimax-m3', tools, stream: true }));
        const chunks = streamChunks(await streamed.body.text());
        expect(deltaText(chunks, 'content')).toBe(markup);
        // Streamed a word at a time, so the tags arrive cut across deltas.
        expect(chunks.filter((chunk) => chunk.choices?.[0]?.delta.content).length).toBeGreaterThan(5);
      } finally {
        await minimax.close();
      }
    });
  });

  describe('SSE stream', () => {
    it('streams frames whose content concatenates to the JSON answer, then [DONE]', async () => {
      const request = chat({ stream: true });
      const response = await client.post(`${nim.url}/chat/completions`, request);
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
      const text = await response.body.text();
      expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
      const chunks = streamChunks(text);
      expect(chunks[0]?.choices?.[0]?.delta.role).toBe('assistant');
      expect(deltaText(chunks, 'content')).toBe(expectedCompletion(request).content);
      expect(chunks[chunks.length - 1]).toMatchObject({ choices: [], usage: expectedCompletion(request).usage });
    });

    it('streams reasoning and tool calls', async () => {
      const tools = [{ type: 'function', function: { name: 'search', parameters: { properties: { q: { type: 'string' } } } } }];
      const request = chat({ stream: true, model: 'deepseek-ai/deepseek-r1', tools });
      const chunks = streamChunks(await (await client.post(`${nim.url}/chat/completions`, request)).body.text());
      expect(deltaText(chunks, 'reasoning_content')).toBe('Thinking about: hello mock');
      const calls = chunks.flatMap((chunk) => chunk.choices?.[0]?.delta.tool_calls ?? []);
      expect(calls[0]?.function?.name).toBe('search');
      expect(calls.map((call) => call.function?.arguments).join('')).toBe('{"q":"hello mock"}');
    });

    it('puts <think> in content for think-tag models', async () => {
      const request = chat({ stream: true, model: 'qwen/qwq-32b' });
      const chunks = streamChunks(await (await client.post(`${nim.url}/chat/completions`, request)).body.text());
      expect(deltaText(chunks, 'content')).toBe('<think>Thinking about: hello mock</think>\n\nYou said: hello mock');
      expect(deltaText(chunks, 'reasoning_content')).toBe('');
    });

    it.each(['none', 'final-chunk', 'final-empty-choices', 'final-no-choices', 'incremental'] as const)(
      'reports usage in mode %s',
      async (usage) => {
        nim.setScenario({ stream: { usage } });
        const request = chat({ stream: true });
        const chunks = streamChunks(await (await client.post(`${nim.url}/chat/completions`, request)).body.text());
        const withUsage = chunks.filter((chunk) => chunk.usage);
        const last = chunks[chunks.length - 1];
        if (usage === 'none') expect(withUsage).toEqual([]);
        else expect(withUsage[withUsage.length - 1]?.usage).toEqual(expectedCompletion(request).usage);
        if (usage === 'final-no-choices') expect(last).not.toHaveProperty('choices');
        if (usage === 'final-empty-choices') expect(last?.choices).toEqual([]);
        if (usage === 'final-chunk') expect(last?.choices?.[0]?.finish_reason).toBe('stop');
        if (usage === 'incremental') expect(withUsage.length).toBe(chunks.length);
      },
    );

    it('sends a single data: line over 1 MiB', async () => {
      const hugeLineBytes = 1024 * 1024 + 10;
      const request = chat({ stream: true, messages: [{ role: 'user', content: `${mockDirective({ stream: { hugeLineBytes } })}hi` }] });
      const text = await (await client.post(`${nim.url}/chat/completions`, request)).body.text();
      expect(Math.max(...text.split('\n').map((line) => line.length))).toBeGreaterThan(hugeLineBytes);
      expect(deltaText(streamChunks(text), 'content')).toBe(`You said: hi ${'x'.repeat(hugeLineBytes)}`);
    });

    it('applies quirks from the scenario: CRLF, comments, numeric ids', async () => {
      nim.setScenario({ stream: { crlf: true, comments: true, idStyle: 'number' } });
      const text = await (await client.post(`${nim.url}/chat/completions`, chat({ stream: true }))).body.text();
      expect(text).toContain(': keep-alive\r\n\r\ndata: {');
      expect(text.replace(/\r\n/g, '')).not.toContain('\n');
      expect(streamChunks(text).every((chunk) => chunk.id === 1)).toBe(true);
    });
  });

  describe('per-request directive and queued scenarios', () => {
    it('applies a directive found in the body', async () => {
      const content = `${mockDirective({ fault: { type: 'http-error', status: 502 } })} hi`;
      const response = await client.post(`${nim.url}/chat/completions`, chat({ messages: [{ role: 'system', content }] }));
      expect(response.statusCode).toBe(502);
      expect(await response.body.json()).toEqual({ status: 502, title: 'Bad Gateway' });
    });

    it('rejects an invalid directive with 400', async () => {
      const response = await client.post(
        `${nim.url}/chat/completions`,
        chat({ messages: [{ role: 'user', content: '<mock-nim>{nope</mock-nim>' }] }),
      );
      expect(response.statusCode).toBe(400);
      expect(((await response.body.json()) as { detail: string }).detail).toContain('not valid JSON');
    });

    it('fails the next N chat requests, then answers normally', async () => {
      nim.failNext({ type: 'http-error', status: 503 }, 2);
      const statuses: number[] = [];
      for (let i = 0; i < 3; i += 1) {
        const response = await client.post(`${nim.url}/chat/completions`, chat({}));
        statuses.push(response.statusCode);
        await response.body.dump();
      }
      expect(statuses).toEqual([503, 503, 200]);
    });

    it('queues scenarios for the models route', async () => {
      nim.enqueue({ fault: { type: 'rate-limit', retryAfterSeconds: 7 } }, { route: 'models' });
      const limited = await client.get(`${nim.url}/models`);
      expect(limited.statusCode).toBe(429);
      expect(limited.headers['retry-after']).toBe('7');
      expect(await limited.body.json()).toEqual({ status: 429, title: 'Too Many Requests' });
      const ok = await client.get(`${nim.url}/models`);
      expect(ok.statusCode).toBe(200);
      await ok.body.dump();
    });

    it('sends a custom error body and headers', async () => {
      nim.failNext({ type: 'http-error', status: 500, body: 'plain oops', headers: { 'x-extra': '1' } });
      const response = await client.post(`${nim.url}/chat/completions`, chat({}));
      expect(response.statusCode).toBe(500);
      expect(response.headers['x-extra']).toBe('1');
      expect(await response.body.text()).toBe('plain oops');
    });
  });

  describe('recorder, use() and reset()', () => {
    it('records method, path, masked headers, body and HTTP version', async () => {
      const body = chat({});
      await (await client.post(`${nim.url}/chat/completions`, body)).body.dump();
      await (await client.get(`${nim.url}/models`)).body.dump();
      expect(nim.requests.count).toBe(2);
      const [first, second] = nim.requests.all;
      expect(first).toMatchObject({
        seq: 1,
        method: 'POST',
        path: '/v1/chat/completions',
        body,
        rawBody: JSON.stringify(body),
        httpVersion: '1.1',
        time: expect.any(Number),
      });
      expect(first?.headers.authorization).toBe('Bearer nvap…***');
      expect(JSON.stringify(nim.requests.all)).not.toContain(DEFAULT_API_KEY);
      expect(second).toMatchObject({ method: 'GET', path: '/v1/models', body: undefined });
      expect(nim.requests.to('/models')).toHaveLength(1);
      expect(nim.requests.last).toBe(second);
    });

    it('lets a test override a route with use(), recorded too, until reset()', async () => {
      nim.use(http.get('*/v1/models', () => HttpResponse.json({ object: 'list', data: [] })));
      expect(await (await client.get(`${nim.url}/models`)).body.json()).toEqual({ object: 'list', data: [] });
      expect(nim.requests.count).toBe(1);
      nim.reset();
      expect(nim.requests.count).toBe(0);
      const body = (await (await client.get(`${nim.url}/models`)).body.json()) as { data: unknown[] };
      expect(body.data.length).toBeGreaterThan(0);
    });

    it('reset() restarts ids and clears the per-test scenario', async () => {
      nim.setScenario({ content: 'fixed' });
      const first = (await (await client.post(`${nim.url}/chat/completions`, chat({}))).body.json()) as Record<string, unknown>;
      expect(first).toMatchObject({ id: 'chatcmpl-mock-1', choices: [{ message: { content: 'fixed' } }] });
      nim.reset();
      const again = (await (await client.post(`${nim.url}/chat/completions`, chat({}))).body.json()) as Record<string, unknown>;
      expect(again).toMatchObject({ id: 'chatcmpl-mock-1', choices: [{ message: { content: 'You said: hello mock' } }] });
    });
  });
});
