import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.js';
import { ConfigError } from './config-error.js';
import { readYamlConfig } from './yaml-config.js';

function fileWith(text: string): string {
  const path = join(tempDir('nim-proxy-yaml-'), 'config.yaml');
  writeFileSync(path, text);
  return path;
}

function errorOf(path: string): Error {
  try {
    readYamlConfig(path);
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected readYamlConfig to throw');
}

describe('readYamlConfig', () => {
  it('reports a syntax error in one line, with the position but not the text of the file (it may hold a key)', () => {
    const path = fileWith('auth:\n  api_keys: [sk-yaml-secret-1, {name: a key: b}\n');
    const error = errorOf(path);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).not.toContain('sk-yaml-secret-1');
    expect(error.message).not.toContain('\n');
    expect(error.message).toMatch(/^The configuration file .* is not valid YAML: .+ at line 2, column \d+$/);
  });

  it('does not quote the line of an unclosed quote either', () => {
    const error = errorOf(fileWith('backends:\n  nvidia:\n    api_key: "nvapi-yaml-secret-2\n    timeout: 3\n'));
    expect(error.message).not.toContain('nvapi-yaml-secret-2');
    expect(error.message).not.toContain('timeout: 3');
    expect(error.message).not.toContain('\n');
  });
});
