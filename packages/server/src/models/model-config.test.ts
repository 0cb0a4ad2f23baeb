import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseCliArgs } from '../cli/parse-cli-args.js';
import { loadConfig } from '../config/load-config.js';

// model_aliases and model_settings come in by the three layers like every other key: YAML < ENV < CLI.
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function yaml(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'model-config-'));
  dirs.push(dir);
  const path = join(dir, 'config.yaml');
  writeFileSync(path, text);
  return path;
}

describe('model_aliases and model_settings configuration', () => {
  const file = yaml('model_aliases:\n  "claude-*": "nvidia:yaml/model"\nmodel_settings:\n  "*":\n    max_tokens: 1000\n');

  it('reads YAML, and the environment over it, and the command line over both', () => {
    expect(loadConfig({ configPath: file, env: {} }).config).toMatchObject({
      model_aliases: { 'claude-*': 'nvidia:yaml/model' },
      model_settings: { '*': { max_tokens: 1000 } },
    });
    const env = { MODEL_ALIASES: 'claude-*=nvidia:env/model', MODEL_SETTINGS: '{"*":{"max_tokens":2000,"replay_reasoning":true}}' };
    expect(loadConfig({ configPath: file, env }).config).toMatchObject({
      model_aliases: { 'claude-*': 'nvidia:env/model' },
      model_settings: { '*': { max_tokens: 2000, replay_reasoning: true } },
    });
    const cli = parseCliArgs(['--model-aliases', '{"claude-*":"nvidia:cli/model"}', '--model-settings', '{"*":{"max_tokens":3000}}']).layer;
    expect(loadConfig({ configPath: file, env, cli }).config).toMatchObject({
      model_aliases: { 'claude-*': 'nvidia:cli/model' },
      model_settings: { '*': { max_tokens: 3000 } },
    });
  });

  it('defaults to empty tables and names the key of a bad value', () => {
    expect(loadConfig({ env: {}, cwd: tmpdir() }).config).toMatchObject({ model_aliases: {}, model_settings: {} });
    expect(() => loadConfig({ env: { MODEL_SETTINGS: '{"*":{"max_tokens":-1}}' }, cwd: tmpdir() })).toThrow(/model_settings\.\*\.max_tokens/);
    expect(() => loadConfig({ env: { MODEL_SETTINGS: '{"*":{"max_tokns":1}}' }, cwd: tmpdir() })).toThrow(/max_tokns/);
    expect(() => loadConfig({ env: { MODEL_ALIASES: 'not a table' }, cwd: tmpdir() })).toThrow(/model_aliases/);
  });
});
