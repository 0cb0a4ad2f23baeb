import { describe, expect, it } from 'vitest';
import { readToolMarkup, ToolMarkupReader } from './tool-markup-reader.js';

const none = () => undefined;
const MARKUP = 'Let me look.\n<minimax:tool_call>\n<invoke name="read">\n<parameter name="path">a.txt</parameter>\n</invoke>\n</minimax:tool_call>';

describe('ToolMarkupReader', () => {
  it('passes text without markup through untouched, holding only what could begin a tag', () => {
    const reader = new ToolMarkupReader(none);
    expect(reader.push('a < b and ')).toEqual({ text: 'a < b and ', calls: [], cut: false });
    expect(reader.push('x <mini')).toEqual({ text: 'x ', calls: [], cut: false });
    expect(reader.push('mal')).toEqual({ text: '<minimal', calls: [], cut: false });
    expect(reader.push('end <')).toEqual({ text: 'end ', calls: [], cut: false });
    expect(reader.flush()).toEqual({ text: '<', calls: [], cut: false });
  });

  it('reads a block cut into pieces anywhere, whatever the piece size', () => {
    for (const size of [1, 2, 3, 7, 19, 1000]) {
      const reader = new ToolMarkupReader(none);
      let text = '';
      const calls: unknown[] = [];
      for (let at = 0; at < MARKUP.length; at += size) {
        const piece = reader.push(MARKUP.slice(at, at + size));
        text += piece.text;
        calls.push(...piece.calls);
      }
      const rest = reader.flush();
      expect(text + rest.text).toBe('Let me look.\n');
      expect([...calls, ...rest.calls]).toEqual([{ name: 'read', arguments: '{"path":"a.txt"}' }]);
    }
  });

  it('gives the finished calls of a block never closed, and reports the one cut mid-way', () => {
    const piece = readToolMarkup('<minimax:tool_call><invoke name="a"></invoke><invoke name="b"><parameter name="x">1', none);
    expect(piece).toEqual({ text: '', calls: [{ name: 'a', arguments: '{}' }], cut: true });
  });

  it('keeps the text after a block, and reads several blocks', () => {
    const piece = readToolMarkup(`${MARKUP} then ${MARKUP}`, none);
    expect(piece.text).toBe('Let me look.\n then Let me look.\n');
    expect(piece.calls).toHaveLength(2);
  });

  it('leaves out, never runs with part of its value, a call whose value quotes the closing tag of the block (which ends it early)', () => {
    const piece = readToolMarkup('<minimax:tool_call><invoke name="Write"><parameter name="content">x</invoke> and </minimax:tool_call> y</parameter></invoke></minimax:tool_call>', none);
    expect(piece).toEqual({ text: ' y</parameter></invoke></minimax:tool_call>', calls: [], cut: false });
  });

  it('reads a long call pushed a few characters at a time, the closing tag cut anywhere', () => {
    const content = 'line </param and <b>\n'.repeat(5_000);
    const markup = `<minimax:tool_call><invoke name="Write"><parameter name="content">${content}</parameter></invoke></minimax:tool_call>after`;
    for (const size of [3, 7, 4096]) {
      const reader = new ToolMarkupReader(none);
      let text = '';
      const calls: { name: string; arguments: string }[] = [];
      for (let at = 0; at < markup.length; at += size) {
        const piece = reader.push(markup.slice(at, at + size));
        text += piece.text;
        calls.push(...piece.calls);
      }
      expect(text + reader.flush().text).toBe('after');
      expect(calls).toHaveLength(1);
      expect((JSON.parse(calls[0]!.arguments) as { content: string }).content).toBe(content.trim());
    }
  });
});
