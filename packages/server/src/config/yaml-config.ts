import { readFileSync } from 'node:fs';
import { isRecord } from '@proxy/core';
import { parse } from 'yaml';
import { ConfigError } from './config-error.js';

/**
 * Reads a YAML configuration file. A key written with no value (`force_model:`) counts as unset, so commenting
 * out the value of an example key behaves like commenting out the key.
 */
export function readYamlConfig(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`Cannot read the configuration file ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, {
      cause: error,
    });
  }
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    throw new ConfigError(`The configuration file ${path} is not valid YAML: ${yamlReason(error)}`, { cause: error });
  }
  if (document === null || document === undefined) return {};
  if (typeof document !== 'object' || Array.isArray(document)) {
    throw new ConfigError(`The configuration file ${path} must hold a mapping of keys (see config/config.example.yaml)`);
  }
  return dropNulls(document as Record<string, unknown>);
}

/**
 * The parser's reason and position, without the excerpt of the file it appends after the position (`at line 2,
 * column 5:` then the offending line): that line may hold an upstream or proxy key, and the error goes to stderr.
 * It also keeps the error to the one line the CLI prints.
 */
function yamlReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return (message.split('\n', 1)[0] ?? '').replace(/:\s*$/, '');
}

function dropNulls(record: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    if (value === null) continue;
    out[key] = isRecord(value) ? dropNulls(value) : value;
  }
  return out;
}
