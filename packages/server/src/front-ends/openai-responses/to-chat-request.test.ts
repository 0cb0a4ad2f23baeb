import { InvalidRequestError } from '@proxy/core';
import { describe, expect, it } from 'vitest';
import { createOpenAIResponsesFrontEnd } from './openai-responses-front-end.js';
import { testContext } from './responses-test-support.js';

const frontEnd = createOpenAIResponsesFrontEnd();

const translate = (body: Record<string, unknown>, settings = {}) => {
  const context = testContext(settings);
  // A front end of its own per translation: what it has said once in the log is not carried between tests.
  const fresh = createOpenAIResponsesFrontEnd();
  const request = fresh.toChatRequest(fresh.parse({ model: 'nvidia:moonshotai/kimi-k2', ...body }), context);
  return { request, lines: context.lines };
};

function parseError(body: unknown): InvalidRequestError {
  try {
    frontEnd.parse(body);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidRequestError);
    return error as InvalidRequestError;
  }
  throw new Error('parse accepted the body');
}

// What Codex 0.169 sends on a tool turn (see /work/shared/clients.md), texts shortened.
const codexBody = {
  model: 'nvidia:moonshotai/kimi-k2',
  instructions: 'You are Codex.',
  input: [
    { type: 'message', role: 'developer', content: [{ type: 'input_text', text: '<permissions>full</permissions>' }] },
    { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'AGENTS.md says hi' }, { type: 'input_text', text: '<env/>' }] },
    { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'make a file' }] },
    { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'I should run touch.' }], encrypted_content: 'gAAA…' },
    { type: 'function_call', call_id: 'call_a', name: 'exec_command', arguments: '{"cmd":"touch a"}' },
    { type: 'function_call', call_id: 'call_b', name: 'exec_command', arguments: '{"cmd":"touch b"}' },
    { type: 'function_call_output', call_id: 'call_a', output: 'ok a' },
    { type: 'function_call_output', call_id: 'call_b', output: [{ type: 'input_text', text: 'ok b' }] },
    { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'late instruction' }] },
  ],
  tools: [
    { type: 'function', name: 'exec_command', description: 'Runs a command', strict: false, parameters: { type: 'object', properties: { cmd: { type: 'string' } } } },
    { type: 'namespace', name: 'multi_agent_v1', description: 'Sub-agents', tools: [{ type: 'function', name: 'spawn_agent', parameters: { type: 'object' } }] },
    { type: 'web_search' },
  ],
  tool_choice: 'auto',
  parallel_tool_calls: true,
  reasoning: { summary: 'auto' },
  store: false,
  include: ['reasoning.encrypted_content'],
  prompt_cache_key: 'abc',
  client_metadata: { a: 1 },
  text: { verbosity: 'low' },
  service_tier: 'auto',
  truncation: 'auto',
  metadata: { b: 2 },
  stream: true,
};

describe('Responses request → chat request', () => {
  it('translates a Codex tool turn: one system message first, calls grouped, outputs as tool messages', () => {
    const { request, lines } = translate(codexBody);
    expect(request).toEqual({
      model: 'moonshotai/kimi-k2',
      stream: true,
      messages: [
        { role: 'system', content: 'You are Codex.\n\n<permissions>full</permissions>\n\nlate instruction' },
        // Codex's context and its prompt are two user items: one user message, since some templates want turns that alternate.
        { role: 'user', content: 'AGENTS.md says hi\n<env/>\n\nmake a file' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'call_a', type: 'function', function: { name: 'exec_command', arguments: '{"cmd":"touch a"}' } },
            { id: 'call_b', type: 'function', function: { name: 'exec_command', arguments: '{"cmd":"touch b"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_a', content: 'ok a' },
        { role: 'tool', tool_call_id: 'call_b', content: 'ok b' },
      ],
      tools: [
        { type: 'function', function: { name: 'exec_command', description: 'Runs a command', strict: false, parameters: { type: 'object', properties: { cmd: { type: 'string' } } } } },
        { type: 'function', function: { name: 'multi_agent_v1__spawn_agent', description: 'Sub-agents', parameters: { type: 'object' } } },
      ],
      tool_choice: 'auto',
      parallel_tool_calls: true,
    });
    // The hosted tool is logged once, by type; nothing else was dropped.
    expect(lines).toEqual([{ level: 'warn', fields: { dropped_tools: ['web_search'] }, message: expect.stringContaining('not sent') }]);
  });

  it('sends reasoning items back as reasoning_content only for models that need it', () => {
    const { request } = translate(codexBody, { replayReasoning: true });
    const assistant = (request.messages as Record<string, unknown>[])[2]!;
    expect(assistant).toMatchObject({ role: 'assistant', reasoning_content: 'I should run touch.' });
    expect(assistant.tool_calls).toHaveLength(2);
    const history = translate({
      input: [
        { role: 'user', content: 'hi' },
        { type: 'reasoning', summary: [], content: [{ type: 'reasoning_text', text: 'raw thoughts' }] },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Hello!' }] },
        { role: 'user', content: 'again' },
      ],
    }, { replayReasoning: true }).request.messages;
    expect(history).toEqual([
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: 'Hello!', reasoning_content: 'raw thoughts' },
      { role: 'user', content: 'again' },
    ]);
  });

  it("reads no other provider's encrypted_content: a reasoning item with nothing else to read is dropped", () => {
    const { request } = translate({
      input: [
        { role: 'user', content: 'hi' },
        { type: 'reasoning', summary: [], encrypted_content: 'gAAAAABo-openai-fernet-token' },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Hello!' }] },
      ],
    }, { replayReasoning: true });
    expect(request.messages).toEqual([
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: 'Hello!' },
    ]);
  });

  it('merges an assistant text and the calls after it into one turn, and starts a new turn after tool results', () => {
    const { request } = translate({
      input: [
        { role: 'user', content: 'go' },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Running it.' }] },
        { type: 'function_call', call_id: '1', name: 'exec_command', arguments: '{}' },
        { type: 'function_call_output', call_id: '1', output: 'done' },
        { type: 'function_call', call_id: '2', name: 'exec_command', arguments: '{}' },
        { type: 'function_call_output', call_id: '2', output: 'done' },
      ],
    });
    expect(request.messages.map((message) => [message.role, (message.tool_calls as unknown[] | undefined)?.length ?? 0])).toEqual([
      ['user', 0],
      ['assistant', 1],
      ['tool', 0],
      ['assistant', 1],
      ['tool', 0],
    ]);
    expect(request.messages[1]!.content).toBe('Running it.');
  });

  it('keeps tool results right after their calls when the answer had text after its calls', () => {
    // A model that writes after its tool calls (even only "\n\n") gives a message item after them;
    // a separate assistant message there would stand between the calls and their tool messages, which chat
    // templates and OpenAI-style APIs refuse.
    const { request } = translate({
      input: [
        { role: 'user', content: 'go' },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Running it.' }] },
        { type: 'function_call', call_id: '1', name: 'exec_command', arguments: '{}' },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Then I check.' }] },
        { type: 'function_call', call_id: '2', name: 'exec_command', arguments: '{}' },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: '\n\n' }] },
        { type: 'function_call_output', call_id: '1', output: 'one' },
        { type: 'function_call_output', call_id: '2', output: 'two' },
      ],
    });
    expect(request.messages.map((message) => [message.role, (message.tool_calls as { id: string }[] | undefined)?.map((call) => call.id) ?? message.tool_call_id ?? null])).toEqual([
      ['user', null],
      ['assistant', ['1', '2']],
      ['tool', '1'],
      ['tool', '2'],
    ]);
    expect(request.messages[1]!.content).toBe('Running it.\n\nThen I check.');
  });

  it('joins user items in a row into one user message, images kept as parts', () => {
    const { request } = translate({
      input: [
        { role: 'user', content: 'first' },
        { role: 'user', content: [{ type: 'input_text', text: 'look' }, { type: 'input_image', image_url: 'https://x/a.png' }] },
        { type: 'function_call', call_id: 'c', name: 'f', arguments: '{}' },
        { type: 'function_call_output', call_id: 'c', output: 'ok' },
        { role: 'user', content: 'after the tool' },
        { role: 'user', content: 'and more' },
      ],
    });
    expect(request.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'first' }, { type: 'text', text: 'look' }, { type: 'image_url', image_url: { url: 'https://x/a.png' } }] },
      { role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 'c', content: 'ok' },
      { role: 'user', content: 'after the tool\n\nand more' },
    ]);
  });

  it('takes a plain string input and images as chat parts', () => {
    expect(translate({ input: 'Hello' }).request.messages).toEqual([{ role: 'user', content: 'Hello' }]);
    const { request } = translate({
      input: [{ role: 'user', content: [{ type: 'input_text', text: 'What is this?' }, { type: 'input_image', image_url: 'data:image/png;base64,AAAA', detail: 'low' }] }],
    });
    expect(request.messages[0]!.content).toEqual([
      { type: 'text', text: 'What is this?' },
      { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA', detail: 'low' } },
    ]);
  });

  it('maps namespaced and invalid tool names both ways, in the history and in tool_choice', () => {
    const { request } = translate({
      input: [
        { role: 'user', content: 'go' },
        { type: 'function_call', call_id: 'c', name: 'spawn_agent', namespace: 'multi_agent_v1', arguments: '{}' },
        { type: 'function_call_output', call_id: 'c', output: 'ok' },
      ],
      tools: [
        { type: 'namespace', name: 'multi_agent_v1', tools: [{ type: 'function', name: 'spawn_agent' }] },
        { type: 'function', name: 'mcp.server/read file' },
        { type: 'function', name: 'x'.repeat(80) },
      ],
      tool_choice: { type: 'function', name: 'spawn_agent', namespace: 'multi_agent_v1' },
    });
    const names = (request.tools as { function: { name: string } }[]).map((tool) => tool.function.name);
    expect(names[0]).toBe('multi_agent_v1__spawn_agent');
    expect(names[1]).toBe('mcp_server_read_file');
    expect(names[2]).toHaveLength(64);
    for (const name of names) expect(name).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
    expect((request.messages[1]!.tool_calls as { function: { name: string } }[])[0]!.function.name).toBe('multi_agent_v1__spawn_agent');
    expect(request.tool_choice).toEqual({ type: 'function', function: { name: 'multi_agent_v1__spawn_agent' } });
  });

  it('sends only the tools an allowed_tools choice allows, so the model cannot call another', () => {
    const tools = [
      { type: 'function', name: 'read' },
      { type: 'function', name: 'write' },
      { type: 'namespace', name: 'multi_agent_v1', tools: [{ type: 'function', name: 'spawn_agent' }, { type: 'function', name: 'close_agent' }] },
      { type: 'web_search' },
    ];
    const sent = (allowed: unknown[], mode = 'required') => {
      const { request } = translate({ input: 'hi', tools, tool_choice: { type: 'allowed_tools', mode, tools: allowed } });
      return { names: (request.tools as { function: { name: string } }[] | undefined)?.map((tool) => tool.function.name), choice: request.tool_choice };
    };
    expect(sent([{ type: 'function', name: 'write' }])).toEqual({ names: ['write'], choice: 'required' });
    expect(sent([{ type: 'function', name: 'read' }, { type: 'namespace', name: 'multi_agent_v1' }], 'auto')).toEqual({
      names: ['read', 'multi_agent_v1__spawn_agent', 'multi_agent_v1__close_agent'],
      choice: 'auto',
    });
    expect(sent([{ type: 'function', name: 'close_agent', namespace: 'multi_agent_v1' }])).toEqual({ names: ['multi_agent_v1__close_agent'], choice: 'required' });
    // Only hosted tools allowed: no function tool NIM could run is left, so none is sent.
    expect(sent([{ type: 'web_search' }])).toEqual({ names: undefined, choice: undefined });
    expect(parseError({ model: 'm', input: 'hi', tool_choice: { type: 'allowed_tools', mode: 'auto' } }).param).toBe('tool_choice.tools');
  });

  it('leaves tool_choice and parallel_tool_calls out when no tool NIM can run is left', () => {
    const { request, lines } = translate({ input: 'hi', tools: [{ type: 'web_search' }, { type: 'code_interpreter', container: { type: 'auto' } }], tool_choice: 'auto', parallel_tool_calls: true });
    expect(request).toEqual({ model: 'moonshotai/kimi-k2', messages: [{ role: 'user', content: 'hi' }] });
    expect(lines[0]!.fields).toEqual({ dropped_tools: ['web_search', 'code_interpreter'] });
  });

  it('caps max_output_tokens at the model cap, and sends the cap when the client asked for none', () => {
    expect(translate({ input: 'hi', max_output_tokens: 50_000 }, { maxTokens: 16_384 }).request.max_tokens).toBe(16_384);
    expect(translate({ input: 'hi', max_output_tokens: 1000 }, { maxTokens: 16_384 }).request.max_tokens).toBe(1000);
    expect(translate({ input: 'hi' }, { maxTokens: 16_384 }).request.max_tokens).toBe(16_384);
    expect(translate({ input: 'hi', max_output_tokens: 99 }).request.max_tokens).toBe(99);
    expect(translate({ input: 'hi' }).request).not.toHaveProperty('max_tokens');
  });

  it('passes temperature and top_p, and switches reasoning with the model family fields', () => {
    const settings = { reasoningOn: { chat_template_kwargs: { thinking: true } }, reasoningOff: { chat_template_kwargs: { thinking: false } } };
    expect(translate({ input: 'hi', temperature: 0.2, top_p: 0.9 }).request).toMatchObject({ temperature: 0.2, top_p: 0.9 });
    expect(translate({ input: 'hi', reasoning: { effort: 'high' } }, settings).request.chat_template_kwargs).toEqual({ thinking: true });
    expect(translate({ input: 'hi', reasoning: { effort: 'none' } }, settings).request.chat_template_kwargs).toEqual({ thinking: false });
    // Codex asks for reasoning summaries without an effort unless one is configured: that is reasoning asked for.
    expect(translate({ input: 'hi', reasoning: { summary: 'auto' } }, settings).request.chat_template_kwargs).toEqual({ thinking: true });
    expect(translate({ input: 'hi', reasoning: { effort: 'minimal', summary: 'auto' } }, settings).request.chat_template_kwargs).toEqual({ thinking: false });
    expect(translate({ input: 'hi' }, settings).request).not.toHaveProperty('chat_template_kwargs');
  });

  it("sends a gpt-oss model the effort asked for as reasoning_effort, and no other model", () => {
    const gptOss = (body: Record<string, unknown>) => {
      const fresh = createOpenAIResponsesFrontEnd();
      return fresh.toChatRequest(fresh.parse({ model: 'nvidia:openai/gpt-oss-120b', ...body }), testContext({}, { upstreamModel: 'openai/gpt-oss-120b' }));
    };
    expect(gptOss({ input: 'hi', reasoning: { effort: 'high', summary: 'auto' } }).reasoning_effort).toBe('high');
    expect(gptOss({ input: 'hi', reasoning: { effort: 'minimal' } }).reasoning_effort).toBe('low');
    expect(gptOss({ input: 'hi', reasoning: { summary: 'auto' } })).not.toHaveProperty('reasoning_effort');
    expect(translate({ input: 'hi', reasoning: { effort: 'high' } }).request).not.toHaveProperty('reasoning_effort');
    expect(translate({ input: 'hi', reasoning: { effort: 'xhigh' } }, { reasoningEffort: true }).request.reasoning_effort).toBe('high');
  });

  it('turns text.format json_schema into response_format', () => {
    const schema = { type: 'object', properties: { a: { type: 'number' } } };
    expect(translate({ input: 'hi', text: { format: { type: 'json_schema', name: 'out', schema, strict: true } } }).request.response_format).toEqual({
      type: 'json_schema',
      json_schema: { name: 'out', schema, strict: true },
    });
    expect(translate({ input: 'hi', text: { format: { type: 'json_object' } } }).request.response_format).toEqual({ type: 'json_object' });
    expect(translate({ input: 'hi', text: { format: { type: 'text' } } }).request).not.toHaveProperty('response_format');
  });

  it('drops items chat cannot carry and logs them, and refuses item references', () => {
    const { request, lines } = translate({ input: [{ role: 'user', content: 'hi' }, { type: 'web_search_call', id: 'ws', status: 'completed' }] });
    expect(request.messages).toEqual([{ role: 'user', content: 'hi' }]);
    expect(lines).toEqual([expect.objectContaining({ fields: { dropped_items: ['web_search_call'] } })]);
    expect(() => translate({ input: [{ role: 'user', content: 'hi' }, { type: 'item_reference', id: 'msg_1' }] })).toThrow(/no conversation state/);
  });

  it("tells a client that sent an item_reference how to send the items instead: store: false (the AI SDK's default is true)", () => {
    const error = (() => {
      try {
        translate({ input: [{ role: 'user', content: 'hi' }, { type: 'item_reference', id: 'msg_1' }] });
      } catch (thrown) {
        return thrown as InvalidRequestError;
      }
      throw new Error('translate accepted the item_reference');
    })();
    expect(error.status).toBe(400);
    expect(error.param).toBe('input[1].type');
    expect(error.message).toContain('store: false');
    expect(error.message).toContain('providerOptions.openai.store');
  });

  it("sends the images tool outputs returned (Codex's view_image) in a user message after those outputs, where chat can carry them", () => {
    const png = 'data:image/png;base64,iVBORw0KGgo=';
    const { request } = translate({
      input: [
        { type: 'message', role: 'user', content: 'look at both' },
        { type: 'function_call', call_id: 'c_1', name: 'view_image', arguments: '{"path":"a.png"}' },
        { type: 'function_call', call_id: 'c_2', name: 'view_image', arguments: '{"path":"b.png"}' },
        { type: 'function_call_output', call_id: 'c_1', output: [{ type: 'input_image', image_url: png, detail: 'high' }] },
        { type: 'function_call_output', call_id: 'c_2', output: [{ type: 'input_text', text: 'b.png:' }, { type: 'input_image', image_url: png }, { type: 'input_image', file_id: 'file_1' }, { type: 'input_file', file_id: 'f_1' }] },
        { type: 'message', role: 'user', content: 'which is bigger?' },
      ],
    });
    expect(request.messages).toEqual([
      { role: 'user', content: 'look at both' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'c_1', type: 'function', function: { name: 'view_image', arguments: '{"path":"a.png"}' } },
          { id: 'c_2', type: 'function', function: { name: 'view_image', arguments: '{"path":"b.png"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'c_1', content: '' },
      { role: 'tool', tool_call_id: 'c_2', content: 'b.png:\n[input_image omitted]\n[input_file omitted]' },
      // The images, in order, then the next user item's text: one user turn.
      {
        role: 'user',
        content: [
          { type: 'image_url', image_url: { url: png, detail: 'high' } },
          { type: 'image_url', image_url: { url: png } },
          { type: 'text', text: 'which is bigger?' },
        ],
      },
    ]);
    // The last items being outputs, the images still follow them.
    const last = translate({
      input: [
        { type: 'message', role: 'user', content: 'look' },
        { type: 'function_call', call_id: 'c_1', name: 'view_image', arguments: '{}' },
        { type: 'function_call_output', call_id: 'c_1', output: [{ type: 'input_image', image_url: png }] },
      ],
    }).request.messages;
    expect(last.at(-1)).toEqual({ role: 'user', content: [{ type: 'image_url', image_url: { url: png } }] });
    expect(last.at(-2)).toMatchObject({ role: 'tool', tool_call_id: 'c_1' });
  });

  it("leaves out the output of a call it left out (Codex answers a local_shell_call with a function_call_output), never an orphan tool message", () => {
    const { request, lines } = translate({
      input: [
        { role: 'user', content: 'list it' },
        { type: 'local_shell_call', call_id: 'sh_1', status: 'completed', action: { type: 'exec', command: ['ls'] } },
        { type: 'function_call_output', call_id: 'sh_1', output: 'a.txt' },
        { type: 'function_call', call_id: 'c_2', name: 'exec_command', arguments: '{"cmd":"cat a.txt"}' },
        { type: 'function_call_output', call_id: 'c_2', output: 'hello' },
      ],
      tools: [{ type: 'function', name: 'exec_command' }],
    });
    expect(request.messages).toEqual([
      { role: 'user', content: 'list it' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'c_2', type: 'function', function: { name: 'exec_command', arguments: '{"cmd":"cat a.txt"}' } }] },
      { role: 'tool', tool_call_id: 'c_2', content: 'hello' },
    ]);
    expect(lines).toEqual([expect.objectContaining({ fields: { dropped_items: ['local_shell_call', 'function_call_output'] } })]);
  });
});

describe('Responses request validation', () => {
  it('refuses stored-state features with a 400 that says the proxy keeps no state', () => {
    for (const [field, value] of [['previous_response_id', 'resp_1'], ['conversation', 'conv_1'], ['background', true]] as const) {
      const error = parseError({ model: 'm', input: 'hi', [field]: value });
      expect(error.status).toBe(400);
      expect(error.param).toBe(field);
      expect(error.message).toContain('keeps no conversation state');
    }
    expect(frontEnd.parse({ model: 'm', input: 'hi', store: true, previous_response_id: null, background: false })).toBeTruthy();
  });

  it('names the OpenAI Agents SDK’s way to continue a conversation without stored state in the 400 for previous_response_id and conversation', () => {
    // The Agents SDK sends these for its run options previousResponseId / conversationId (and an
    // OpenAIConversationsSession); its users see only this message, thrown by the run.
    for (const [field, value] of [['previous_response_id', 'resp_1'], ['conversation', 'conv_1']] as const) {
      const error = parseError({ model: 'm', input: 'hi', [field]: value });
      expect(error.message).toContain('OpenAI Agents SDK');
      expect(error.message).toContain('previousResponseId');
      expect(error.message).toContain('conversationId');
      expect(error.message).toContain('result.history');
    }
    expect(parseError({ model: 'm', input: 'hi', background: true }).message).not.toContain('Agents SDK');
  });

  it('refuses a stored prompt template with a 400, rather than answering without its instructions', () => {
    const error = parseError({ model: 'm', input: 'hi', prompt: { id: 'pmpt_1', version: '2', variables: { city: 'Paris' } } });
    expect(error.status).toBe(400);
    expect(error.param).toBe('prompt');
    expect(error.message).toMatch(/'prompt' is not supported.*instructions/);
    expect(frontEnd.parse({ model: 'm', input: 'hi', prompt: null })).toBeTruthy();
  });

  it('names the field at fault', () => {
    expect(parseError({ input: 'hi' }).param).toBe('model');
    expect(parseError({ model: 'm' }).param).toBe('input');
    expect(parseError({ model: 'm', input: [{ role: 'robot', content: 'x' }] }).param).toBe('input[0].role');
    expect(parseError({ model: 'm', input: [{ type: 'function_call', name: 'f', arguments: '{}' }] }).param).toBe('input[0].call_id');
    expect(parseError({ model: 'm', input: [{ role: 'user', content: [{ type: 'input_audio' }] }] }).param).toBe('input[0].content[0].type');
    expect(parseError({ model: 'm', input: 'hi', tools: [{ type: 'function', parameters: {} }] }).param).toBe('tools[0].name');
    expect(parseError({ model: 'm', input: 'hi', max_output_tokens: 0 }).param).toBe('max_output_tokens');
    const nameless = parseError({ model: 'm', input: 'hi', tool_choice: { type: 'function' } });
    expect(nameless.param).toBe('tool_choice.name');
    expect(parseError({ model: 'm', input: 'hi', tool_choice: { type: 'allowed_tools' } }).param).toBe('tool_choice.mode');
    // A hosted tool's choice passes with its type: the translation falls back to the default for it.
    expect(frontEnd.parse({ model: 'm', input: 'hi', tool_choice: { type: 'web_search' } }).tool_choice).toEqual({ type: 'web_search' });
    expect(parseError([]).status).toBe(400);
  });

  it('describes the model and whether a stream was asked for', () => {
    expect(frontEnd.describe(frontEnd.parse({ model: 'nvidia:x', input: 'hi', stream: true }))).toEqual({ model: 'nvidia:x', stream: true });
    expect(frontEnd.describe(frontEnd.parse({ model: 'x', input: 'hi' }))).toEqual({ model: 'x', stream: false });
  });
});
