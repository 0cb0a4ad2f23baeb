import { describe, expect, it } from 'vitest';
import { ChunkToolMarkup, readsToolMarkup, rewriteAnswerToolMarkup } from './chunk-tool-markup.js';

const none = () => undefined;
const silent = { warn: () => undefined, debug: () => undefined };
const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({ choices: [{ index: 0, delta, finish_reason: finish }] });

describe('ChunkToolMarkup', () => {
  it('turns markup in content and reasoning into tool_calls deltas, every call its own index in the order they began, given out by the finishing chunk at the latest', () => {
    const markup = new ChunkToolMarkup(none, silent);
    const chunks = [
      chunk({ reasoning_content: 'think <minimax:tool_call><invoke name="r"></invoke></minimax:tool_call>' }),
      chunk({ tool_calls: [{ index: 0, id: 'n0', function: { name: 'own', arguments: '{}' } }] }),
      chunk({ content: 'ok <minimax:tool' }),
      chunk({ content: '_call><invoke name="w"><parameter name="p">1</parameter></invoke>' }),
      chunk({}, 'stop'),
    ];
    for (const each of chunks) markup.rewrite(each);
    expect(chunks.map((each) => each.choices[0]!.delta)).toEqual([
      { reasoning_content: 'think ', tool_calls: [{ index: 0, type: 'function', function: { name: 'r', arguments: '{}' } }] },
      // NIM's own call 0 came after the markup's: it is passed on as call 1, never merged with it.
      { tool_calls: [{ index: 1, id: 'n0', function: { name: 'own', arguments: '{}' } }] },
      { content: 'ok ' },
      { content: '' },
      { tool_calls: [{ index: 2, type: 'function', function: { name: 'w', arguments: '{"p":"1"}' } }] },
    ]);
  });

  it('reads a call whose value contains </parameter> and </invoke>, its markup cut across many deltas', () => {
    const content = '<invoke name="x">\n<parameter name="y">1</parameter>\n</invoke>\n';
    const text = `Writing.\n<minimax:tool_call>\n<invoke name="Write">\n<parameter name="content">${content}</parameter>\n<parameter name="file_path">t.xml</parameter>\n</invoke>\n</minimax:tool_call>`;
    for (const size of [1, 5, 13]) {
      const markup = new ChunkToolMarkup(none, silent);
      const chunks = [];
      for (let at = 0; at < text.length; at += size) chunks.push(chunk({ content: text.slice(at, at + size) }));
      chunks.push(chunk({}, 'stop'));
      for (const each of chunks) markup.rewrite(each);
      const deltas = chunks.map((each) => each.choices[0]!.delta as { content?: string; tool_calls?: { function: { name: string; arguments: string } }[] });
      expect(deltas.map((delta) => delta.content ?? '').join('')).toBe('Writing.\n');
      expect(deltas.flatMap((delta) => delta.tool_calls ?? []).map((call) => [call.function.name, JSON.parse(call.function.arguments)])).toEqual([
        ['Write', { content: content.trim(), file_path: 't.xml' }],
      ]);
      expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe('tool_calls');
    }
  });

  it('leaves chunks without markup as they are', () => {
    const markup = new ChunkToolMarkup(none, silent);
    const plain = chunk({ content: 'a <b> c' }, 'stop');
    markup.rewrite(plain);
    expect(plain).toEqual(chunk({ content: 'a <b> c' }, 'stop'));
  });

  it('warns when the answer ended inside a call, which is left out', () => {
    const warnings: unknown[] = [];
    const markup = new ChunkToolMarkup(none, { warn: (fields) => void warnings.push(fields), debug: () => undefined });
    const last = chunk({ content: '<minimax:tool_call><invoke name="w"><parameter name="cmd">rm -rf /tm' }, 'length');
    markup.rewrite(last);
    expect(last.choices[0]!.delta).toEqual({ content: '' });
    expect(warnings).toEqual([{ finish_reason: 'length' }]);
  });

  it("rewrites a JSON answer's choice, numbering its calls after the message's own, and ends it with tool_calls", () => {
    const message = { content: 'x<minimax:tool_call><invoke name="w"></invoke></minimax:tool_call>', tool_calls: [{ id: 'a', function: { name: 'own', arguments: '{}' } }] };
    const choice = { message, finish_reason: 'stop' };
    rewriteAnswerToolMarkup(choice, none, silent);
    expect(choice).toEqual({
      message: { content: 'x', tool_calls: [{ id: 'a', function: { name: 'own', arguments: '{}' } }, { type: 'function', function: { name: 'w', arguments: '{}' } }] },
      finish_reason: 'tool_calls',
    });
  });

  it('gives each call the id a front end that passes deltas on asks for', () => {
    const markup = new ChunkToolMarkup(none, silent, (index) => `call_${index}`);
    const last = chunk({ content: '<minimax:tool_call><invoke name="w"></invoke></minimax:tool_call>' }, 'stop');
    markup.rewrite(last);
    expect(last.choices[0]).toEqual({ index: 0, delta: { content: '', tool_calls: [{ index: 0, id: 'call_0', type: 'function', function: { name: 'w', arguments: '{}' } }] }, finish_reason: 'tool_calls' });
  });

  it('reads the markup of a model set to it, or of a MiniMax model unless set to none, when tools are offered', () => {
    expect(readsToolMarkup({ modelSettings: {}, upstreamModel: 'minimaxai/minimax-m2' }, true)).toBe(true);
    expect(readsToolMarkup({ modelSettings: {}, upstreamModel: 'meta/llama3-70b' }, true)).toBe(false);
    expect(readsToolMarkup({ modelSettings: { toolMarkup: 'minimax' }, upstreamModel: 'my-served-model' }, true)).toBe(true);
    expect(readsToolMarkup({ modelSettings: { toolMarkup: 'none' }, upstreamModel: 'minimaxai/minimax-m2' }, true)).toBe(false);
    // No tools offered (or tool_choice none): markup is text the model wrote, as a tool parser would leave it.
    expect(readsToolMarkup({ modelSettings: {}, upstreamModel: 'minimaxai/minimax-m2' }, false)).toBe(false);
  });
});
