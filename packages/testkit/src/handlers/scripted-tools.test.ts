import { describe, expect, it } from 'vitest';
import { expectedCompletion } from './completion-content.js';
import { mockDirective, readDirectives } from './directive.js';
import { chatCompletionBody } from './json-completion.js';
import { mergeScenarios, type Scenario } from './scenario.js';
import { scriptedToolCalls, scriptedToolProblem, toolResultReply, toolResultsSinceAssistant } from './scripted-tools.js';
import { chatCompletionFrames } from './sse-stream.js';

const tools = [{ type: 'function', function: { name: 'Write', parameters: { type: 'object', properties: {} } } }];
const user = (content: unknown) => ({ role: 'user', content });
const write: Scenario['toolCall'] = { name: 'Write', arguments: { file_path: '/abs/hi.txt', content: 'hi' } };
const writeArgs = '{"file_path":"/abs/hi.txt","content":"hi"}';
const called = { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'Write', arguments: writeArgs } }] };

describe('scriptedToolCalls', () => {
  it('encodes object arguments, keeps JSON text as is, defaults to {}', () => {
    expect(scriptedToolCalls({ toolCall: write })).toEqual([{ name: 'Write', arguments: writeArgs }]);
    expect(scriptedToolCalls({ toolCall: { name: 'x', arguments: '{"a":' } })).toEqual([{ name: 'x', arguments: '{"a":' }]);
    expect(scriptedToolCalls({ toolCalls: [{ name: 'a' }, { name: 'b', arguments: { n: 1 } }] })).toEqual([
      { name: 'a', arguments: '{}' },
      { name: 'b', arguments: '{"n":1}' },
    ]);
    expect(scriptedToolCalls({ content: 'x' })).toBeUndefined();
  });

  it('lets a later layer setting toolCall replace an earlier toolCalls, and the reverse', () => {
    const calls = { toolCalls: [{ name: 'a' }, { name: 'b' }] };
    expect(mergeScenarios(calls, { toolCall: { name: 'c' } })).toEqual({ toolCall: { name: 'c' } });
    expect(mergeScenarios({ toolCall: { name: 'c' }, finalAnswer: 'f' }, calls)).toEqual({ ...calls, finalAnswer: 'f' });
  });
});

describe('scriptedToolProblem', () => {
  it.each([
    [{ toolCall: 'Write' }, 'toolCall must be an object {"name": …, "arguments": …}'],
    [{ toolCall: { arguments: {} } }, 'toolCall.name must be a non-empty string'],
    [{ toolCall: { name: 'a', arguments: [1] } }, 'toolCall.arguments must be an object or JSON text'],
    [{ toolCalls: [] }, 'toolCalls must be a non-empty array'],
    [{ toolCalls: [{ name: 'a' }, { name: '' }] }, 'toolCalls[1].name must be a non-empty string'],
    [{ finalAnswer: 3 }, 'finalAnswer must be a string'],
    [{ unscriptedTools: 'never' }, "unscriptedTools must be 'call' or 'answer'"],
  ])('reports %j', (scenario, problem) => {
    expect(scriptedToolProblem(scenario as unknown as Scenario)).toBe(problem);
  });

  it('accepts well-formed scripts and no script', () => {
    expect(scriptedToolProblem({ toolCall: write, toolCalls: [{ name: 'a', arguments: '{}' }], finalAnswer: '' })).toBeUndefined();
    expect(scriptedToolProblem(undefined)).toBeUndefined();
  });
});

describe('toolResultsSinceAssistant', () => {
  it('collects the tool results after the last assistant message, even with a user message after them', () => {
    const tool = (text: unknown) => ({ role: 'tool', tool_call_id: 'c1', content: text });
    expect(toolResultsSinceAssistant([user('go'), called, tool('ok')])).toEqual(['ok']);
    expect(toolResultsSinceAssistant([user('go'), called, tool([{ type: 'text', text: 'a' }]), tool('b'), user('<system-reminder/>')])).toEqual(['a', 'b']);
    expect(toolResultsSinceAssistant([user('go'), called, tool('old'), { role: 'assistant', content: 'done' }, user('again')])).toBeUndefined();
    expect(toolResultsSinceAssistant([user('go')])).toBeUndefined();
    expect(toolResultsSinceAssistant('nope')).toBeUndefined();
    expect(toolResultReply(['a', 'b'])).toBe('Tool result: a\nb');
  });
});

describe('expectedCompletion with a scripted tool', () => {
  // Claude Code's shape: the prompt, with the directive, among system reminders in text parts.
  const prompt = user([
    { type: 'text', text: '<system-reminder>context</system-reminder>' },
    { type: 'text', text: `${mockDirective({ toolCall: write, finalAnswer: 'Wrote it.' })}Write hi.txt` },
  ]);

  it('finds the directive in text parts and calls exactly the scripted tool', () => {
    expect(readDirectives([{ role: 'system', content: 'sys' }, prompt])).toMatchObject({ toolCall: write });
    const turn1 = expectedCompletion({ messages: [prompt], tools });
    expect(turn1).toMatchObject({ content: null, finishReason: 'tool_calls', toolCalls: [{ name: 'Write', arguments: writeArgs }] });
    expect(turn1.usage.completion_tokens).toBe(1);
  });

  it('calls a tool the request does not define, but none without tools or with tool_choice none', () => {
    const other = user(mockDirective({ toolCall: { name: 'Unlisted' } }));
    expect(expectedCompletion({ messages: [other], tools }).toolCalls).toEqual([{ name: 'Unlisted', arguments: '{}' }]);
    expect(expectedCompletion({ messages: [other] })).toMatchObject({ toolCalls: [], finishReason: 'stop', content: 'You said: ' });
    expect(expectedCompletion({ messages: [other], tools, tool_choice: 'none' }).toolCalls).toEqual([]);
  });

  it('answers finalAnswer after the tool result, the directive still read from the first message', () => {
    const turn2 = expectedCompletion({ messages: [prompt, called, { role: 'tool', tool_call_id: 'c1', content: 'ok' }], tools });
    expect(turn2).toMatchObject({ content: 'Wrote it.', toolCalls: [], finishReason: 'stop' });
  });

  it('answers Tool result: <text> by default, with directives stripped, also without a script', () => {
    const result = { role: 'tool', tool_call_id: 'c1', content: `${mockDirective({})} file written` };
    const scripted = user(mockDirective({ toolCall: write }));
    expect(expectedCompletion({ messages: [scripted, called, result], tools }).content).toBe('Tool result: file written');
    expect(expectedCompletion({ messages: [user('go'), called, result], tools }).content).toBe('Tool result: file written');
    const capped = expectedCompletion({ messages: [user('go'), called, result], tools, max_tokens: 3 });
    expect(capped).toMatchObject({ content: 'Tool result: file', finishReason: 'length' });
  });

  it('keeps reasoning on the tool-call turn', () => {
    const turn1 = expectedCompletion({ model: 'deepseek-ai/deepseek-r1', messages: [prompt], tools });
    expect(turn1).toMatchObject({ content: null, reasoningContent: 'Thinking about: <system-reminder>context</system-reminder>Write hi.txt' });
    const think = expectedCompletion({ messages: [prompt], tools }, { scenario: { reasoning: 'think-tags' } });
    expect(think.content).toBe('<think>Thinking about: <system-reminder>context</system-reminder>Write hi.txt</think>');
  });

  it('renders parallel calls in JSON and as NIM tool-call deltas', () => {
    const expected = expectedCompletion({ messages: [user('x')], tools }, { scenario: { toolCalls: [{ name: 'a' }, { name: 'b', arguments: { q: 1 } }] } });
    const meta = { sequence: 3, model: 'm', created: 0 };
    const body = chatCompletionBody(expected, meta) as { choices: Array<{ message: { tool_calls: unknown[] }; finish_reason: string }> };
    expect(body.choices[0]?.finish_reason).toBe('tool_calls');
    expect(body.choices[0]?.message.tool_calls).toEqual([
      { id: 'call_mock_3_0', type: 'function', function: { name: 'a', arguments: '{}' } },
      { id: 'call_mock_3_1', type: 'function', function: { name: 'b', arguments: '{"q":1}' } },
    ]);
    const deltas = chatCompletionFrames(expected, meta)
      .map((frame) => frame.slice('data: '.length).trim())
      .filter((data) => data !== '[DONE]')
      .map((data) => JSON.parse(data) as { choices: Array<{ delta: { tool_calls?: unknown[] } }> })
      .flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []);
    expect(deltas).toEqual([
      { index: 0, id: 'call_mock_3_0', type: 'function', function: { name: 'a', arguments: '' } },
      { index: 0, function: { arguments: '{}' } },
      { index: 1, id: 'call_mock_3_1', type: 'function', function: { name: 'b', arguments: '' } },
      { index: 1, function: { arguments: '{"q":1}' } },
    ]);
  });
});
