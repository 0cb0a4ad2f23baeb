import { describe, expect, it } from 'vitest';
import { deltaText, parseSse, streamChunks } from '../test-support/sse.js';
import { expectedCompletion } from './completion-content.js';
import type { UsageMode } from './scenario.js';
import { chatCompletionFrames, TOOL_ARGUMENT_PIECE } from './sse-stream.js';

const meta = { sequence: 7, model: 'm/x', created: 1 };
const plain = expectedCompletion({ messages: [{ role: 'user', content: 'hello big world' }] });

describe('chatCompletionFrames', () => {
  it('sends role, content deltas, finish, usage-only chunk, then [DONE]', () => {
    const text = chatCompletionFrames(plain, meta).join('');
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
    const chunks = streamChunks(text);
    expect(chunks[0]?.choices?.[0]?.delta).toEqual({ role: 'assistant', content: '' });
    expect(deltaText(chunks, 'content')).toBe(plain.content);
    const finish = chunks[chunks.length - 2];
    expect(finish?.choices?.[0]).toMatchObject({ delta: {}, finish_reason: 'stop' });
    expect(chunks[chunks.length - 1]).toMatchObject({ choices: [], usage: plain.usage });
    expect(chunks.every((chunk) => chunk.id === 'chatcmpl-mock-7' && chunk.object === 'chat.completion.chunk')).toBe(true);
  });

  it.each<[UsageMode, (chunks: ReturnType<typeof streamChunks>) => void]>([
    ['none', (chunks) => expect(chunks.some((chunk) => chunk.usage)).toBe(false)],
    ['final-chunk', (chunks) => expect(chunks[chunks.length - 1]).toMatchObject({ usage: plain.usage, choices: [{ finish_reason: 'stop' }] })],
    ['final-empty-choices', (chunks) => expect(chunks[chunks.length - 1]).toEqual(expect.objectContaining({ choices: [], usage: plain.usage }))],
    [
      'final-no-choices',
      (chunks) => {
        const last = chunks[chunks.length - 1];
        expect(last).toMatchObject({ usage: plain.usage });
        expect(last).not.toHaveProperty('choices');
      },
    ],
    [
      'incremental',
      (chunks) => {
        const completions = chunks.map((chunk) => chunk.usage?.completion_tokens ?? -1);
        expect(completions.every((value, i) => value >= 0 && value >= (completions[i - 1] ?? 0))).toBe(true);
        expect(new Set(completions).size).toBeGreaterThan(2);
        expect(chunks[chunks.length - 1]?.usage).toEqual(plain.usage);
      },
    ],
  ])('usage mode %s', (usage, check) => {
    check(streamChunks(chatCompletionFrames(plain, meta, { shape: { usage } }).join('')));
  });

  it('streams reasoning_content before content', () => {
    const expected = expectedCompletion({ model: 'deepseek-ai/deepseek-r1', messages: [{ role: 'user', content: 'q' }] });
    const chunks = streamChunks(chatCompletionFrames(expected, meta).join(''));
    expect(deltaText(chunks, 'reasoning_content')).toBe('Thinking about: q');
    const lastReasoning = chunks.findLastIndex((chunk) => chunk.choices?.[0]?.delta.reasoning_content);
    const firstContent = chunks.findIndex((chunk) => chunk.choices?.[0]?.delta.content);
    expect(lastReasoning).toBeLessThan(firstContent);
  });

  it('streams tool calls: name once, or in every chunk with repeatToolName', () => {
    const expected = expectedCompletion({
      messages: [{ role: 'user', content: 'a fairly long question to split' }],
      tools: [{ type: 'function', function: { name: 'lookup', parameters: { properties: { q: { type: 'string' } } } } }],
    });
    const args = expected.toolCalls[0]?.arguments ?? '';
    expect(args.length).toBeGreaterThan(TOOL_ARGUMENT_PIECE);
    for (const repeatToolName of [false, true]) {
      const chunks = streamChunks(chatCompletionFrames(expected, meta, { shape: { repeatToolName } }).join(''));
      const calls = chunks.flatMap((chunk) => chunk.choices?.[0]?.delta.tool_calls ?? []);
      expect(calls.map((call) => call.function?.arguments ?? '').join('')).toBe(args);
      const named = calls.filter((call) => call.function?.name === 'lookup');
      expect(named.length).toBe(repeatToolName ? calls.length : 1);
      expect(calls[0]).toMatchObject({ index: 0, id: 'call_mock_7_0', type: 'function' });
      expect(chunks[chunks.length - 2]?.choices?.[0]?.finish_reason).toBe('tool_calls');
    }
  });

  it('uses numeric or null ids', () => {
    const numeric = streamChunks(chatCompletionFrames(plain, meta, { shape: { idStyle: 'number' } }).join(''));
    expect(numeric.every((chunk) => chunk.id === 7)).toBe(true);
    const nulls = streamChunks(chatCompletionFrames(plain, meta, { shape: { idStyle: 'null' } }).join(''));
    expect(nulls.every((chunk) => chunk.id === null)).toBe(true);
  });

  it('ends lines with CRLF and interleaves comments', () => {
    const text = chatCompletionFrames(plain, meta, { shape: { crlf: true, comments: true } }).join('');
    expect(text.replace(/\r\n/g, '')).not.toContain('\n');
    const parsed = parseSse(text);
    expect(parsed.comments.length).toBe(parsed.data.length);
    expect(deltaText(streamChunks(text), 'content')).toBe(plain.content);
  });

  it('inserts garbage lines when malformed', () => {
    const parsed = parseSse(chatCompletionFrames(plain, meta, { malformed: true }).join(''));
    expect(parsed.garbage).toEqual(['this line is not SSE']);
    expect(() => parsed.data.map((item) => (item === '[DONE]' ? item : JSON.parse(item)))).toThrow();
    expect(parsed.data[parsed.data.length - 1]).toBe('[DONE]');
  });
});
