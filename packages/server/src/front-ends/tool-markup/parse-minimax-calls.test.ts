import { describe, expect, it } from 'vitest';
import { parameterSchemas, parseMinimaxCalls } from './parse-minimax-calls.js';

const schemas = parameterSchemas(() => [
  {
    name: 'run',
    schema: {
      type: 'object',
      properties: { command: { type: 'string' }, timeout: { type: 'integer' }, ratio: { type: 'number' }, background: { type: 'boolean' }, env: { type: 'object' }, args: { type: 'array' }, note: {} },
    },
  },
]);

describe('parseMinimaxCalls', () => {
  it('reads every invoke of a block, each value by the type its schema gives the parameter (text when it gives none)', () => {
    const block = [
      '',
      '<invoke name="run">',
      '<parameter name="command">ls -la</parameter>',
      '<parameter name="timeout">30</parameter>',
      '<parameter name="ratio">0.5</parameter>',
      '<parameter name="background">true</parameter>',
      '<parameter name="env">{"A": "1"}</parameter>',
      '<parameter name="args">["-a", 2]</parameter>',
      '<parameter name="note">{"x": 1}</parameter>',
      '</invoke>',
      '<invoke name="run">',
      '<parameter name="command">',
      'echo "<b>" > 42',
      '</parameter>',
      '<parameter name="timeout">null</parameter>',
      '</invoke>',
      '',
    ].join('\n');
    const { calls, cut } = parseMinimaxCalls(block, schemas);
    expect(cut).toBe(false);
    expect(calls.map((call) => ({ name: call.name, args: JSON.parse(call.arguments) as unknown }))).toEqual([
      { name: 'run', args: { command: 'ls -la', timeout: 30, ratio: 0.5, background: true, env: { A: '1' }, args: ["-a", 2], note: '{"x": 1}' } },
      { name: 'run', args: { command: 'echo "<b>" > 42', timeout: null } },
    ]);
  });

  it('keeps as text what does not read as its type, and every parameter of a tool it does not know', () => {
    const { calls } = parseMinimaxCalls('<invoke name="run"><parameter name="timeout">soon</parameter><parameter name="env">{oops</parameter></invoke><invoke name=\'other\'><parameter name="n">42</parameter></invoke>', schemas);
    expect(calls.map((call) => [call.name, JSON.parse(call.arguments)])).toEqual([
      ['run', { timeout: 'soon', env: '{oops' }],
      ['other', { n: '42' }],
    ]);
  });

  it('leaves out an invoke the answer ended inside, and one without a name', () => {
    const { calls, cut } = parseMinimaxCalls('<invoke name="run"><parameter name="command">ls</parameter></invoke><invoke name=""></invoke><invoke name="run"><parameter name="command">rm -rf /tm', schemas);
    expect(calls).toEqual([{ name: 'run', arguments: '{"command":"ls"}' }]);
    expect(cut).toBe(true);
  });

  // A coding agent writing markup (an XML file, this parser's own source) through a tool puts closing tags in values.
  const args = (block: string) => parseMinimaxCalls(block, schemas).calls.map((call) => [call.name, JSON.parse(call.arguments) as unknown]);

  it('keeps a value that contains </parameter> and </invoke> whole', () => {
    const content = 'const PARAMETER = /<parameter\\s+name=([^>]*)>([\\s\\S]*?)<\\/parameter>/g;\n// ends at </parameter>, then </invoke>\n';
    expect(args(`\n<invoke name="Write">\n<parameter name="file_path">/a.ts</parameter>\n<parameter name="content">${content}</parameter>\n</invoke>\n`)).toEqual([
      ['Write', { file_path: '/a.ts', content: content.trim() }],
    ]);
  });

  it('reads the parameters after a value that contains both closing tags', () => {
    const value = '<x></parameter></invoke></x>';
    const block = `<invoke name="run"><parameter name="command">${value}</parameter>\n<parameter name="timeout">5</parameter>\n<parameter name="background">true</parameter>\n</invoke>`;
    expect(args(block)).toEqual([['run', { command: value, timeout: 5, background: true }]]);
  });

  it('ends an invoke whose value contains </invoke> at its own closing tag, and reads the next invoke', () => {
    const block = '<invoke name="run"><parameter name="command">echo "</invoke>" >> f</parameter></invoke>\n<invoke name="run"><parameter name="command">cat f</parameter></invoke>';
    expect(args(block)).toEqual([
      ['run', { command: 'echo "</invoke>" >> f' }],
      ['run', { command: 'cat f' }],
    ]);
  });

  it('reads as value text an opening tag that no closing tag comes before', () => {
    const value = 'markup such as <invoke name="Bash"><parameter name="command">ls';
    expect(args(`<invoke name="Write"><parameter name="content">${value}</parameter><parameter name="file_path">d.md</parameter></invoke>`)).toEqual([
      ['Write', { content: value, file_path: 'd.md' }],
    ]);
  });

  it('leaves out, as cut, an invoke that text follows after the last </invoke> it contains (its value went on)', () => {
    // The answer ended inside the value, or a value quoting </minimax:tool_call> ended the block early.
    const { calls, cut } = parseMinimaxCalls('<invoke name="run"><parameter name="command">ls</parameter></invoke><invoke name="Write"><parameter name="content">a</parameter></invoke> b', schemas);
    expect(calls).toEqual([{ name: 'run', arguments: '{"command":"ls"}' }]);
    expect(cut).toBe(true);
    // Whitespace, or the beginning of the closing tag of the block or of the next invoke, may follow.
    for (const rest of ['\n', '\n</minimax:tool_ca', '\n<invo', '\n<invoke name="x']) {
      expect(parseMinimaxCalls(`<invoke name="run"></invoke>${rest}`, schemas).calls).toHaveLength(1);
    }
  });
});
