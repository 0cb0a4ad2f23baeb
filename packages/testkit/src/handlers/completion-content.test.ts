import { describe, expect, it } from 'vitest';
import { countTokens, expectedCompletion, splitIntoPieces } from './completion-content.js';
import { mockDirective } from './directive.js';

const user = (content: unknown) => ({ role: 'user', content });

describe('expectedCompletion', () => {
  it('echoes the last user message, without directives', () => {
    const result = expectedCompletion({
      model: 'meta/llama3-70b-instruct',
      messages: [user('first'), { role: 'assistant', content: 'x' }, user(`${mockDirective({})} hello world`)],
    });
    expect(result.content).toBe('You said: hello world');
    expect(result.reasoningContent).toBeUndefined();
    expect(result.finishReason).toBe('stop');
    expect(result.usage).toEqual({ prompt_tokens: 4, completion_tokens: 4, total_tokens: 8 });
  });

  it('reads text parts', () => {
    const result = expectedCompletion({ messages: [user([{ type: 'text', text: 'a ' }, { type: 'text', text: 'b' }])] });
    expect(result.content).toBe('You said: a b');
  });

  it('takes the reasoning mode from the catalog, overridable by scenario and directive', () => {
    const messages = [user('q')];
    expect(expectedCompletion({ model: 'deepseek-ai/deepseek-r1', messages }).reasoningContent).toBe('Thinking about: q');
    const think = expectedCompletion({ model: 'meta/llama3-70b-instruct', messages }, { scenario: { reasoning: 'think-tags' } });
    expect(think.content).toBe('<think>Thinking about: q</think>\n\nYou said: q');
    const directed = expectedCompletion({
      model: 'deepseek-ai/deepseek-r1',
      messages: [user(`${mockDirective({ reasoning: 'none', content: 'fixed' })}q`)],
    });
    expect(directed).toMatchObject({ content: 'fixed', reasoningContent: undefined });
  });

  it('continues a final assistant message when asked to (continue_final_message), and answers it as a new turn otherwise', () => {
    const prefilled = [user('give JSON'), { role: 'assistant', content: '{' }];
    expect(expectedCompletion({ messages: prefilled, continue_final_message: true }).content).toBe(' (continued) You said: give JSON');
    expect(expectedCompletion({ messages: prefilled }).content).toBe('You said: give JSON');
    // Only a final assistant message is continued.
    expect(expectedCompletion({ messages: [user('q')], continue_final_message: true }).content).toBe('You said: q');
    // A scripted answer still wins.
    expect(expectedCompletion({ messages: [user(`${mockDirective({ content: 'fixed' })}q`), { role: 'assistant', content: '{' }], continue_final_message: true }).content).toBe('fixed');
  });

  it("stops at the first of the request's stop sequences found, and names it as vLLM's stop_reason", () => {
    const result = expectedCompletion({ messages: [user('one two END three')], stop: ['three', 'END'] });
    expect(result).toMatchObject({ content: 'You said: one two ', finishReason: 'stop', stopReason: 'END' });
    expect(expectedCompletion({ messages: [user('one two')], stop: 'zzz' })).not.toHaveProperty('stopReason');
  });

  it('truncates to max_tokens with finish_reason length', () => {
    const result = expectedCompletion({ messages: [user('one two three four')], max_tokens: 3 });
    expect(result).toMatchObject({ content: 'You said: one', finishReason: 'length' });
  });

  it('runs out of max_tokens inside a tool call as a model does: the call cut mid-JSON, none after it, finish_reason length', () => {
    const tools = [{ type: 'function', function: { name: 'Bash', parameters: {} } }];
    const scenario = { toolCalls: [{ name: 'Bash', arguments: { command: 'echo first > a.txt; echo second' } }, { name: 'Bash', arguments: { command: 'ls' } }] };
    const cut = expectedCompletion({ messages: [user('go')], tools, max_tokens: 4 }, { scenario });
    expect(cut.finishReason).toBe('length');
    expect(cut.toolCalls).toEqual([{ name: 'Bash', arguments: '{"command":"echo first > a.txt; ' }]);
    const whole = expectedCompletion({ messages: [user('go')], tools, max_tokens: 7 }, { scenario });
    expect(whole).toMatchObject({ finishReason: 'tool_calls', toolCalls: [{ arguments: '{"command":"echo first > a.txt; echo second"}' }, { arguments: '{"command":"ls"}' }] });
  });

  it('calls the chosen tool with arguments filled from its schema', () => {
    const tools = [
      { type: 'function', function: { name: 'first', parameters: {} } },
      {
        type: 'function',
        function: {
          name: 'weather',
          parameters: {
            type: 'object',
            properties: { city: { type: 'string' }, days: { type: 'integer' }, metric: { type: 'boolean' } },
            required: ['city', 'days', 'metric'],
          },
        },
      },
    ];
    const result = expectedCompletion({
      messages: [user('Paris')],
      tools,
      tool_choice: { type: 'function', function: { name: 'weather' } },
    });
    expect(result.content).toBeNull();
    expect(result.finishReason).toBe('tool_calls');
    expect(result.toolCalls).toEqual([{ name: 'weather', arguments: '{"city":"Paris","days":42,"metric":true}' }]);
    expect(expectedCompletion({ messages: [user('x')], tools, tool_choice: 'none' }).toolCalls).toEqual([]);
    expect(expectedCompletion({ messages: [user('x')], tools }).toolCalls[0]?.name).toBe('first');
  });

  it("answers text instead of calling a tool nobody scripted with unscriptedTools: 'answer', unless tool_choice forces one", () => {
    const tools = [{ type: 'function', function: { name: 'exec_command', parameters: { type: 'object', properties: { cmd: { type: 'string' } } } } }];
    const scenario = { unscriptedTools: 'answer' as const };
    expect(expectedCompletion({ messages: [user('rm -rf build')], tools }, { scenario })).toMatchObject({
      content: 'You said: rm -rf build',
      toolCalls: [],
      finishReason: 'stop',
    });
    const scripted = expectedCompletion({ messages: [user('go')], tools }, { scenario: { ...scenario, toolCall: { name: 'exec_command', arguments: { cmd: 'ls' } } } });
    expect(scripted.toolCalls).toEqual([{ name: 'exec_command', arguments: '{"cmd":"ls"}' }]);
    expect(expectedCompletion({ messages: [user('go')], tools, tool_choice: 'required' }, { scenario }).finishReason).toBe('tool_calls');
    expect(expectedCompletion({ messages: [user('go')], tools, tool_choice: { type: 'function', function: { name: 'exec_command' } } }, { scenario }).toolCalls).toHaveLength(1);
    expect(expectedCompletion({ messages: [user('go')], tools }).toolCalls).toHaveLength(1);
  });

  it('pads the content with one huge word for hugeLineBytes', () => {
    const result = expectedCompletion({ messages: [user('hi')] }, { scenario: { stream: { hugeLineBytes: 10 } } });
    expect(result.content).toBe(`You said: hi ${'x'.repeat(10)}`);
  });
});

describe('tokens and pieces', () => {
  it('splits into pieces that concatenate back', () => {
    const text = '  leading and  double spaces\nnewline ';
    expect(splitIntoPieces(text).join('')).toBe(text);
    expect(countTokens(text)).toBe(5);
  });
});
