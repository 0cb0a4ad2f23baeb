import { BoundedCache } from './bounded-cache.js';
import { compileGlob, isGlob } from './glob-pattern.js';

/**
 * `model_aliases`: the model a client names → the model the proxy routes (`backend:model` or a bare id for the
 * default backend). Claude Code asks for Claude's names (`claude-sonnet-4-5-20250929`, `claude-haiku-4-5`…) and
 * Codex for OpenAI's; a table such as `{"claude-*haiku*": "nvidia:meta/llama-3.1-8b-instruct"}` points them at NIM
 * models without touching the clients. An exact key wins over patterns; patterns are tried in the order written;
 * a target is routed as it is (no chains). Ids that match nothing pass through unchanged.
 */
export function createModelAliases(table: Readonly<Record<string, string>>): (model: string) => string {
  const entries = Object.entries(table);
  if (entries.length === 0) return (model) => model;
  const exact = new Map(entries.filter(([pattern]) => !isGlob(pattern)).map(([pattern, target]) => [pattern.toLowerCase(), target]));
  const globs = entries.filter(([pattern]) => isGlob(pattern)).map(([pattern, target]) => ({ matches: compileGlob(pattern), target }));
  const cache = new BoundedCache<string>();
  const resolve = (model: string): string => exact.get(model.toLowerCase()) ?? globs.find((glob) => glob.matches(model))?.target ?? model;
  return (model) => cache.get(model, resolve);
}

/** An alias a client can pick by name: a key of `model_aliases` that is an id, not a pattern. */
export interface NamedAlias {
  /** The key as written. */
  id: string;
  /** The model it routes to (`backend:model`, or a bare id for the default backend). */
  target: string;
}

/**
 * The aliases `GET /v1/models` lists beside the catalogs, in the order written. Only ids: a pattern names no one
 * model a client could ask for. Listing them is what lets a client's model picker offer them — Claude Code's
 * gateway discovery keeps only ids that mention `claude` or `anthropic`, so `claude-qwen3-coder` → a NIM model is
 * one an operator can put in front of its users by name.
 */
export function namedAliases(table: Readonly<Record<string, string>>): NamedAlias[] {
  return Object.entries(table)
    .filter(([pattern]) => !isGlob(pattern))
    .map(([id, target]) => ({ id, target }));
}
