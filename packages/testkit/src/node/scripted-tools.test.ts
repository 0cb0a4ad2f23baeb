import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { expectedCompletion } from '../handlers/completion-content.js';
import { mockDirective } from '../handlers/directive.js';
import type { Scenario } from '../handlers/scenario.js';
import { TestClient } from '../test-support/http-client.js';
import { deltaText, streamChunks, type StreamChunk } from '../test-support/sse.js';
import { startMockNim, type MockNimServer } from './start-mock-nim.js';

const client = new TestClient();
let nim: MockNimServer;

beforeAll(async () => {
  nim = await startMockNim();
});
afterEach(() => nim.reset());
afterAll(async () => {
  await nim.close();
  await client.close();
});

const tools = [
  {
    type: 'function',
    function: {
      name: 'Write',
      parameters: { type: 'object', properties: { file_path: { type: 'string' }, content: { type: 'string' } } },
    },
  },
  { type: 'function', function: { name: 'Bash', parameters: { type: 'object', properties: { command: { type: 'string' } } } } },
];

interface Call {
  id: unknown;
  type: 'function';
  function: { name: string; arguments: string };
}

/** The first turn as a coding agent's translator sends it: the prompt among system reminders, in text parts. */
function firstTurn(scenario: Scenario): Array<Record<string, unknown>> {
  return [
    { role: 'system', content: 'You are a coding agent.' },
    {
      role: 'user',
      content: [
        { type: 'text', text: '<system-reminder>Be careful.</system-reminder>' },
        { type: 'text', text: `${mockDirective(scenario)} Write the file.` },
      ],
    },
  ];
}

/** The agent's second turn: its tool calls echoed back, one `role: "tool"` result per call. */
function secondTurn(first: Array<Record<string, unknown>>, calls: Call[]): Array<Record<string, unknown>> {
  return [
    ...first,
    { role: 'assistant', content: null, tool_calls: calls },
    ...calls.map((call) => ({ role: 'tool', tool_call_id: call.id, content: [{ type: 'text', text: `ran ${call.function.name}` }] })),
  ];
}

/** Reassembles streamed tool calls the way clients do: id/name from the first delta per index, arguments appended. */
function streamedCalls(chunks: readonly StreamChunk[]): Call[] {
  const calls: Call[] = [];
  for (const delta of chunks.flatMap((chunk) => chunk.choices?.[0]?.delta.tool_calls ?? [])) {
    const call = (calls[delta.index] ??= { id: delta.id, type: 'function', function: { name: delta.function?.name ?? '', arguments: '' } });
    call.function.arguments += delta.function?.arguments ?? '';
  }
  return calls;
}

async function post(body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const response = await client.post(`${nim.url}/chat/completions`, body);
  expect(response.statusCode).toBe(200);
  return (await response.body.json()) as Record<string, unknown>;
}

async function postStream(body: Record<string, unknown>): Promise<StreamChunk[]> {
  const response = await client.post(`${nim.url}/chat/completions`, { ...body, stream: true });
  expect(response.statusCode).toBe(200);
  return streamChunks(await response.body.text());
}

const model = 'meta/llama3-70b-instruct';
const write = { name: 'Write', arguments: { file_path: '/tmp/out/hello.txt', content: 'hi' } };

describe('a scripted tool-using model, over HTTP', () => {
  it('plays a two-turn agent loop in JSON', async () => {
    const first = firstTurn({ toolCall: write, finalAnswer: 'Done: wrote the file.' });
    const request1 = { model, messages: first, tools, reasoning_effort: 'high', parallel_tool_calls: true };
    const body1 = (await post(request1)) as { choices: Array<{ message: { content: unknown; tool_calls: Call[] }; finish_reason: string }> };
    expect(body1.choices[0]).toMatchObject({
      finish_reason: 'tool_calls',
      message: {
        content: null,
        tool_calls: [
          { id: 'call_mock_1_0', type: 'function', function: { name: 'Write', arguments: '{"file_path":"/tmp/out/hello.txt","content":"hi"}' } },
        ],
      },
    });
    expect(expectedCompletion(request1).toolCalls).toEqual([{ name: 'Write', arguments: '{"file_path":"/tmp/out/hello.txt","content":"hi"}' }]);

    const request2 = { model, messages: secondTurn(first, body1.choices[0]?.message.tool_calls ?? []), tools };
    const body2 = await post(request2);
    expect(body2).toMatchObject({
      choices: [{ message: { role: 'assistant', content: 'Done: wrote the file.' }, finish_reason: 'stop' }],
      usage: expectedCompletion(request2).usage,
    });
    expect(expectedCompletion(request2).content).toBe('Done: wrote the file.');
  });

  it('plays it streamed, with parallel calls, JSON-text arguments and NIM quirks', async () => {
    nim.setScenario({ stream: { idStyle: 'number', repeatToolName: true } });
    const scenario: Scenario = {
      toolCalls: [
        { name: 'Bash', arguments: '{"command":"echo one"}' },
        { name: 'Bash', arguments: { command: 'echo two' } },
      ],
    };
    const first = firstTurn(scenario);
    const chunks1 = await postStream({ model, messages: first, tools });
    const calls = streamedCalls(chunks1);
    expect(calls).toEqual([
      { id: 100, type: 'function', function: { name: 'Bash', arguments: '{"command":"echo one"}' } },
      { id: 101, type: 'function', function: { name: 'Bash', arguments: '{"command":"echo two"}' } },
    ]);
    expect(chunks1.find((chunk) => chunk.choices?.[0]?.finish_reason)?.choices?.[0]?.finish_reason).toBe('tool_calls');

    const request2 = { model, messages: secondTurn(first, calls), tools };
    const chunks2 = await postStream(request2);
    expect(deltaText(chunks2, 'content')).toBe('Tool result: ran Bash\nran Bash');
    expect(expectedCompletion(request2).content).toBe('Tool result: ran Bash\nran Bash');
    expect(streamedCalls(chunks2)).toEqual([]);
    expect(chunks2.find((chunk) => chunk.choices?.[0]?.finish_reason)?.choices?.[0]?.finish_reason).toBe('stop');
  });

  it('takes the script from setScenario too, and answers 400 to a malformed one', async () => {
    nim.setScenario({ toolCall: { name: 'Write', arguments: { file_path: '/x', content: '' } } });
    const body = (await post({ model, messages: [{ role: 'user', content: 'go' }], tools })) as {
      choices: Array<{ message: { tool_calls: Call[] } }>;
    };
    expect(body.choices[0]?.message.tool_calls[0]?.function).toEqual({ name: 'Write', arguments: '{"file_path":"/x","content":""}' });

    const bad = await client.post(`${nim.url}/chat/completions`, {
      model,
      messages: [{ role: 'user', content: `${mockDirective({ toolCall: { arguments: {} } } as unknown as Scenario)} go` }],
      tools,
    });
    expect(bad.statusCode).toBe(400);
    expect(await bad.body.json()).toMatchObject({ status: 400, detail: "mock-nim: the scenario's toolCall.name must be a non-empty string" });
  });

  it('accepts reasoning_effort, chat_template_kwargs and parallel_tool_calls, still rejects stream_options', async () => {
    await post({ model, messages: [{ role: 'user', content: 'hi' }], reasoning_effort: 'low', chat_template_kwargs: { thinking: true }, parallel_tool_calls: false });
    const rejected = await client.post(`${nim.url}/chat/completions`, {
      model,
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(rejected.statusCode).toBe(422);
    await rejected.body.dump();
  });
});
