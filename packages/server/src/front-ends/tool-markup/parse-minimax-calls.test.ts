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
});
