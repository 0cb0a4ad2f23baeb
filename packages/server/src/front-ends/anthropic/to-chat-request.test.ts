/* eslint-disable @typescript-eslint/no-explicit-any -- events and requests are read back as loose JSON; the expectations check them */
import { InvalidRequestError } from '@proxy/core';
import { describe, expect, it } from 'vitest';
import { createAnthropicFrontEnd } from './anthropic-front-end.js';
import { renderAnthropicError } from './render-error.js';
import { context } from './test-support.js';

const frontEnd = createAnthropicFrontEnd();
const translate = (body: Record<string, unknown>, ctx = context()) => frontEnd.toChatRequest(frontEnd.parse(body), ctx) as Record<string, any>;
const base = { model: 'claude-sonnet-4-5', max_tokens: 32000 };

describe('Anthropic request → chat completions', () => {
  it('builds the chat request field by field: nothing NIM rejects is sent', () => {
    const request = translate({
      ...base,
      stream: true,
      system: [{ type: 'text', text: 'You are Claude Code.', cache_control: { type: 'ephemeral' } }, { type: 'text', text: 'Be brief.' }],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'hi', cache_control: { type: 'ephemeral' } }] }],
      metadata: { user_id: 'u' },
      context_management: { edits: [] },
      output_config: { effort: 'high' },
      service_tier: 'auto',
      top_k: 5,
      temperature: 0.5,
      top_p: 0.9,
      stop_sequences: ['END'],
    });
    expect(request).toEqual({
      model: 'meta/llama-3.3-70b-instruct',
      stream: true,
      max_tokens: 32000,
      temperature: 0.5,
      top_p: 0.9,
      stop: ['END'],
      messages: [
        { role: 'system', content: 'You are Claude Code.\n\nBe brief.' },
        { role: 'user', content: 'hi' },
      ],
    });
  });

  it("asks NIM for Anthropic's structured output (output_config.format, or the beta's output_format) as response_format", () => {
    const schema = { type: 'object', properties: { answer: { type: 'integer' } }, required: ['answer'], additionalProperties: false };
    const messages = [{ role: 'user', content: 'How many?' }];
    const expected = { type: 'json_schema', json_schema: { name: 'output', schema } };
    expect(translate({ ...base, messages, output_config: { effort: 'high', format: { type: 'json_schema', schema } } }).response_format).toEqual(expected);
    expect(translate({ ...base, messages, output_format: { type: 'json_schema', schema } }).response_format).toEqual(expected);
    expect(translate({ ...base, messages, output_config: { format: null } })).not.toHaveProperty('response_format');
  });

  it('folds system entries inside the conversation into the one system message at the start', () => {
    const request = translate({
      ...base,
      system: 'First.',
      messages: [
        { role: 'user', content: 'a' },
        { role: 'system', content: [{ type: 'text', text: 'Later reminder.' }] },
        { role: 'user', content: 'b' },
        { role: 'assistant', content: 'c' },
      ],
    });
    expect(request.messages).toEqual([
      { role: 'system', content: 'First.\n\nLater reminder.' },
      { role: 'user', content: 'a\n\nb' },
      { role: 'assistant', content: 'c' },
    ]);
  });

  it('translates a tool round trip: tool_use → tool_calls, tool_result → tool messages before the text', () => {
    const request = translate({
      ...base,
      tools: [
        { name: 'Write', description: 'Writes a file', input_schema: { type: 'object', properties: { file_path: { type: 'string' } } } },
        { type: 'web_search_20250305', name: 'web_search', max_uses: 3 },
        { type: 'bash_20250124', name: 'bash' },
      ],
      tool_choice: { type: 'auto', disable_parallel_tool_use: true },
      messages: [
        { role: 'user', content: 'write it' },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'I should write.', signature: 'sig' },
            { type: 'text', text: 'Writing.' },
            { type: 'tool_use', id: 'toolu_1', name: 'Write', input: { file_path: '/x' } },
            { type: 'tool_use', id: 'toolu_2', name: 'Write', input: { file_path: '/y' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'both done?' },
            { type: 'tool_result', tool_use_id: 'toolu_1', content: 'ok' },
            { type: 'tool_result', tool_use_id: 'toolu_2', is_error: true, content: [{ type: 'text', text: 'denied' }] },
          ],
        },
      ],
    });
    expect(request.tools).toEqual([
      { type: 'function', function: { name: 'Write', description: 'Writes a file', parameters: { type: 'object', properties: { file_path: { type: 'string' } } } } },
    ]);
    expect(request.tool_choice).toBe('auto');
    expect(request.parallel_tool_calls).toBe(false);
    expect(request.messages).toEqual([
      { role: 'user', content: 'write it' },
      {
        role: 'assistant',
        content: 'Writing.',
        tool_calls: [
          { id: 'toolu_1', type: 'function', function: { name: 'Write', arguments: '{"file_path":"/x"}' } },
          { id: 'toolu_2', type: 'function', function: { name: 'Write', arguments: '{"file_path":"/y"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'toolu_1', content: 'ok' },
      { role: 'tool', tool_call_id: 'toolu_2', content: 'Error: denied' },
      { role: 'user', content: 'both done?' },
    ]);
  });

  it('maps tool_choice any / tool / none', () => {
    const tools = [{ name: 'Read', input_schema: { type: 'object' } }];
    const messages = [{ role: 'user', content: 'x' }];
    expect(translate({ ...base, tools, messages, tool_choice: { type: 'any' } }).tool_choice).toBe('required');
    expect(translate({ ...base, tools, messages, tool_choice: { type: 'none' } }).tool_choice).toBe('none');
    expect(translate({ ...base, tools, messages, tool_choice: { type: 'tool', name: 'Read' } }).tool_choice).toEqual({ type: 'function', function: { name: 'Read' } });
    // Only server tools: nothing about tools reaches NIM.
    const serverOnly = translate({ ...base, messages, tools: [{ type: 'web_search_20250305', name: 'web_search' }], tool_choice: { type: 'auto' } });
    expect(serverOnly.tools).toBeUndefined();
    expect(serverOnly.tool_choice).toBeUndefined();
    // A named tool that is not sent would be a 400 from NIM: the model chooses instead.
    const unsent = translate({ ...base, messages, tools: [...tools, { type: 'web_search_20250305', name: 'web_search' }], tool_choice: { type: 'tool', name: 'web_search' } });
    expect(unsent.tools).toHaveLength(1);
    expect(unsent.tool_choice).toBeUndefined();
  });

  it("answers ToolSearch's tool_reference with the tool's definition, and sends a deferred tool only once it is loaded", () => {
    const webFetch = { name: 'WebFetch', description: 'Fetches a URL', input_schema: { type: 'object', properties: { url: { type: 'string' } } }, defer_loading: true };
    const tools = [
      { name: 'ToolSearch', input_schema: { type: 'object', properties: { query: { type: 'string' } } } },
      { name: 'DeferredToolPlaceholder', input_schema: { type: 'object', properties: {} }, defer_loading: true },
    ];
    const ask = { role: 'user', content: 'fetch example.com' };
    const search = { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'ToolSearch', input: { query: 'select:WebFetch' } }] };
    // Before the search: deferred tools are not shown to the model.
    expect(translate({ ...base, tools, messages: [ask] }).tools.map((tool: any) => tool.function.name)).toEqual(['ToolSearch']);
    const loaded = translate({
      ...base,
      tools: [...tools, webFetch],
      messages: [ask, search, { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: [{ type: 'tool_reference', tool_name: 'WebFetch' }, { type: 'tool_reference', tool_name: 'Gone' }] }] }],
    });
    expect(loaded.tools.map((tool: any) => tool.function.name)).toEqual(['ToolSearch', 'WebFetch']);
    expect(loaded.messages.at(-1)).toEqual({
      role: 'tool',
      tool_call_id: 't1',
      content: `<functions>\n<function>${JSON.stringify({ description: 'Fetches a URL', name: 'WebFetch', parameters: webFetch.input_schema })}</function>\n<function>{"name":"Gone"}</function>\n</functions>`,
    });
  });

  it('logs the server tools it leaves out once, not on every request', () => {
    const ctx = context();
    const once = createAnthropicFrontEnd();
    const body = once.parse({ ...base, messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'web_search_20250305', name: 'web_search' }] });
    once.toChatRequest(body, ctx);
    once.toChatRequest(body, ctx);
    expect(ctx.warnings).toHaveLength(1);
  });

  it('sends images as image_url parts: base64 as a data: URL, url as it is', () => {
    const request = translate({
      ...base,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'what is this?' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0' } },
            { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
          ],
        },
      ],
    });
    expect(request.messages[0]).toEqual({
      role: 'user',
      content: [
        { type: 'text', text: 'what is this?' },
        { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0' } },
        { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
      ],
    });
  });

  it('caps max_tokens at the model limit and switches reasoning as the model settings say', () => {
    const settings = { maxTokens: 8192, reasoningOn: { chat_template_kwargs: { thinking: true } }, reasoningOff: { chat_template_kwargs: { thinking: false } } };
    const messages = [{ role: 'user', content: 'x' }];
    const on = translate({ ...base, messages, thinking: { type: 'adaptive', display: 'omitted' } }, context({ modelSettings: settings }));
    expect(on.max_tokens).toBe(8192);
    expect(on.chat_template_kwargs).toEqual({ thinking: true });
    expect(on.thinking).toBeUndefined();
    const enabled = translate({ ...base, messages, thinking: { type: 'enabled', budget_tokens: 2000 } }, context({ modelSettings: settings }));
    expect(enabled.chat_template_kwargs).toEqual({ thinking: true });
    const off = translate({ ...base, max_tokens: 100, messages }, context({ modelSettings: settings }));
    expect(off.max_tokens).toBe(100);
    expect(off.chat_template_kwargs).toEqual({ thinking: false });
  });

  it("sends a gpt-oss model Claude Code's output_config.effort as reasoning_effort, thinking off as the least", () => {
    const messages = [{ role: 'user', content: 'x' }];
    const gptOss = context({ upstreamModel: 'openai/gpt-oss-120b' });
    expect(translate({ ...base, messages, thinking: { type: 'adaptive' }, output_config: { effort: 'high' } }, gptOss).reasoning_effort).toBe('high');
    expect(translate({ ...base, messages, output_config: { effort: 'max' } }, gptOss).reasoning_effort).toBe('high');
    expect(translate({ ...base, messages, thinking: { type: 'disabled' }, output_config: { effort: 'high' } }, gptOss).reasoning_effort).toBe('low');
    expect(translate({ ...base, messages }, gptOss)).not.toHaveProperty('reasoning_effort');
    expect(translate({ ...base, messages, output_config: { effort: 'high' } }, context())).not.toHaveProperty('reasoning_effort');
  });

  it('sends earlier reasoning back as reasoning_content only for models that need it', () => {
    const messages = [
      { role: 'user', content: 'x' },
      { role: 'assistant', content: [{ type: 'thinking', thinking: 'hmm', signature: 's' }, { type: 'redacted_thinking', data: 'enc' }, { type: 'tool_use', id: 't1', name: 'Read', input: {} }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'file' }] },
    ];
    const tools = [{ name: 'Read', input_schema: { type: 'object' } }];
    const plain = translate({ ...base, tools, messages });
    expect(plain.messages[1]).toEqual({ role: 'assistant', content: null, tool_calls: [expect.objectContaining({ id: 't1' })] });
    const replayed = translate({ ...base, tools, messages }, context({ modelSettings: { replayReasoning: true } }));
    expect(replayed.messages[1].reasoning_content).toBe('hmm');
  });
});

describe('Anthropic prefill (a final assistant message) → continued, not answered', () => {
  const ask = { role: 'user', content: 'Give me JSON' };

  it('keeps the prefill last and asks vLLM to continue it: continue_final_message, no generation prompt', () => {
    for (const prefill of ['{', [{ type: 'text', text: '{"a"' }, { type: 'text', text: ':' }]]) {
      const request = translate({ ...base, messages: [ask, { role: 'assistant', content: prefill }] });
      expect(request.messages.at(-1)).toEqual({ role: 'assistant', content: typeof prefill === 'string' ? prefill : '{"a":' });
      expect(request).toMatchObject({ continue_final_message: true, add_generation_prompt: false });
    }
  });

  it('leaves a conversation that ends with the user, with a tool_use or with no text as it was', () => {
    const tools = [{ name: 'Read', input_schema: { type: 'object' } }];
    const toolUse = { role: 'assistant', content: [{ type: 'text', text: 'Reading.' }, { type: 'tool_use', id: 't1', name: 'Read', input: {} }] };
    for (const messages of [
      [ask],
      [ask, { role: 'assistant', content: '{' }, { role: 'user', content: 'again' }],
      [ask, toolUse],
      [ask, { role: 'assistant', content: '' }],
      [ask, { role: 'assistant', content: [{ type: 'thinking', thinking: 'hmm', signature: 's' }] }],
    ]) {
      const request = translate({ ...base, tools, messages });
      expect(request).not.toHaveProperty('continue_final_message');
      expect(request).not.toHaveProperty('add_generation_prompt');
    }
    // The final tool_use turn is still sent as the tool call it was.
    expect(translate({ ...base, tools, messages: [ask, toolUse] }).messages.at(-1)).toEqual({
      role: 'assistant',
      content: 'Reading.',
      tool_calls: [{ id: 't1', type: 'function', function: { name: 'Read', arguments: '{}' } }],
    });
  });

  it("keeps the model's chat_template_kwargs beside the prefill controls", () => {
    const settings = { reasoningOn: { chat_template_kwargs: { thinking: true } }, reasoningOff: { chat_template_kwargs: { thinking: false } } };
    const request = translate({ ...base, thinking: { type: 'enabled', budget_tokens: 1024 }, messages: [ask, { role: 'assistant', content: '{' }] }, context({ modelSettings: settings }));
    expect(request).toMatchObject({ chat_template_kwargs: { thinking: true }, continue_final_message: true, add_generation_prompt: false });
  });

  it("refuses a prefill that ends in whitespace, in Anthropic's words, before anything is translated", () => {
    for (const prefill of ['{ ', 'Sure,\n', [{ type: 'text', text: 'a' }, { type: 'text', text: '\t' }]]) {
      let error: unknown;
      try {
        frontEnd.parse({ ...base, messages: [ask, { role: 'assistant', content: prefill }] });
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(InvalidRequestError);
      expect(renderAnthropicError(error as InvalidRequestError)).toMatchObject({
        status: 400,
        body: { type: 'error', error: { type: 'invalid_request_error', message: 'messages: final assistant content cannot end with trailing whitespace' } },
      });
    }
    // Whitespace inside, or on an earlier assistant turn, or before a tool_use, is fine.
    expect(() => frontEnd.parse({ ...base, messages: [ask, { role: 'assistant', content: 'a b' }] })).not.toThrow();
    expect(() => frontEnd.parse({ ...base, messages: [ask, { role: 'assistant', content: 'x ' }, ask] })).not.toThrow();
    expect(() =>
      frontEnd.parse({ ...base, messages: [ask, { role: 'assistant', content: [{ type: 'text', text: 'Reading. ' }, { type: 'tool_use', id: 't1', name: 'Read', input: {} }] }] }),
    ).not.toThrow();
  });
});

describe('Anthropic request validation', () => {
  const expect400 = (body: unknown, param: string) => {
    let error: unknown;
    try {
      frontEnd.parse(body);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as InvalidRequestError).status).toBe(400);
    expect((error as InvalidRequestError).param).toBe(param);
    expect((error as InvalidRequestError).message).toContain(param);
  };

  it('names the field at fault', () => {
    expect400({ model: 'm', messages: [{ role: 'user', content: 'x' }] }, 'max_tokens');
    expect400({ ...base, messages: [{ role: 'tool', content: 'x' }] }, 'messages[0].role');
    expect400({ ...base, messages: [{ role: 'user', content: 5 }] }, 'messages[0].content');
    expect400({ ...base, messages: [{ role: 'user', content: [{ type: 'video', url: 'x' }] }] }, 'messages[0].content[0].type');
    expect400({ ...base, messages: [] }, 'messages');
    expect400({ ...base, messages: [{ role: 'user', content: 'x' }], tools: [{ name: 'Read' }] }, 'tools[0].input_schema');
  });

  it('refuses a tool_result without its tool_use', () => {
    expect400(
      { ...base, messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'nope', content: 'x' }] }] },
      'messages[0].content[0].tool_use_id',
    );
  });

  it('reads the key from x-api-key or Authorization: Bearer', () => {
    expect(frontEnd.readApiKey({ 'x-api-key': 'k1' })).toBe('k1');
    expect(frontEnd.readApiKey({ authorization: 'Bearer k2' })).toBe('k2');
    expect(frontEnd.readApiKey({})).toBeUndefined();
  });
});
