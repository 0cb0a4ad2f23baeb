import type { ExchangeContext } from '../../exchange/front-end.js';
import type { FunctionTool, NamespaceTool, ResponsesRequest } from './request-schema.js';
import { ToolNames } from './tool-names.js';

/** A chat completions function tool. */
export interface ChatTool {
  type: 'function';
  function: { name: string; description?: string; parameters?: Record<string, unknown>; strict?: boolean };
}

export interface ChatTools {
  /** Empty when the client sent no tool NIM can run: then no `tools`, `tool_choice` or `parallel_tool_calls` go up. */
  tools: ChatTool[];
  /** Tool types that were left out (hosted tools NIM cannot run), for the request's log. */
  dropped: string[];
  names: ToolNames;
}

const cache = new WeakMap<ResponsesRequest, ChatTools>();

/**
 * The client's tools as chat function tools. Function tools keep their schema; a `namespace` group's functions
 * become plain functions with flat names (NIM rejects the group); hosted tools (`web_search`, `file_search`,
 * `code_interpreter`, `computer_use`, …) and custom (free-form grammar) tools have no chat equivalent and are left
 * out. An `allowed_tools` choice is honoured by sending only the tools it allows: chat has no way to offer a tool
 * the model must not call, and a tool NIM never saw is one it cannot call. Built once per request body: the
 * request and the answer's name mapping read the same names.
 */
export function toChatTools(body: ResponsesRequest): ChatTools {
  const known = cache.get(body);
  if (known) return known;
  const names = new ToolNames();
  const tools: ChatTool[] = [];
  const dropped: string[] = [];
  const allowed = allowedTools(body.tool_choice);
  for (const tool of body.tools ?? []) {
    if (tool.type === 'function') {
      const fn = tool as FunctionTool;
      if (allowed.has(fn.name)) tools.push(chatTool(fn, names.flatten(fn.name)));
    } else if (tool.type === 'namespace') {
      const group = tool as NamespaceTool;
      for (const inner of group.tools) {
        if (inner.type !== 'function') dropped.push(`${group.name}.${inner.name} (${inner.type})`);
        else if (allowed.has(inner.name, group.name)) tools.push(chatTool(inner as FunctionTool, names.flatten(inner.name, group.name), group.description));
      }
    } else dropped.push(tool.type);
  }
  const result = { tools, dropped, names };
  cache.set(body, result);
  return result;
}

interface AllowedTools {
  has(name: string, namespace?: string): boolean;
}

/**
 * The function tools an `allowed_tools` choice lets the model call: each by name (with its `namespace` for a
 * group's function), or a whole group by `{type: "namespace", name}`. Every tool when the choice is another.
 */
function allowedTools(choice: ResponsesRequest['tool_choice']): AllowedTools {
  if (typeof choice !== 'object' || choice === null || choice.type !== 'allowed_tools' || !Array.isArray(choice.tools)) return { has: () => true };
  const functions = new Set<string>();
  const groups = new Set<string>();
  for (const tool of choice.tools as { type: string; name?: string; namespace?: string | null }[]) {
    if (typeof tool.name !== 'string') continue; // a hosted tool's entry: that tool is not sent anyway
    if (tool.type === 'function') functions.add(tool.namespace ? `${tool.namespace}\u0000${tool.name}` : tool.name);
    else if (tool.type === 'namespace') groups.add(tool.name);
  }
  return { has: (name, namespace) => (namespace ? groups.has(namespace) || functions.has(`${namespace}\u0000${name}`) : functions.has(name)) };
}

function chatTool(tool: FunctionTool, name: string, groupDescription?: string | null): ChatTool {
  const description = groupDescription && tool.description ? `${groupDescription}\n\n${tool.description}` : (tool.description ?? groupDescription);
  const fn: ChatTool['function'] = { name };
  if (description) fn.description = description;
  fn.parameters = tool.parameters ?? { type: 'object', properties: {} };
  if (typeof tool.strict === 'boolean') fn.strict = tool.strict;
  return { type: 'function', function: fn };
}

/**
 * `tool_choice` in chat terms, or undefined to leave it out. A choice of a hosted tool (which was not sent) falls
 * back to the default; `allowed_tools` becomes its mode, the closest chat has.
 */
export function toChatToolChoice(choice: ResponsesRequest['tool_choice'], names: ToolNames): unknown {
  if (choice === undefined || choice === null) return undefined;
  if (typeof choice === 'string') return choice;
  if (choice.type === 'function' && typeof choice.name === 'string') {
    const namespace = typeof choice.namespace === 'string' ? choice.namespace : undefined;
    return { type: 'function', function: { name: names.flatten(choice.name, namespace) } };
  }
  if (choice.type === 'allowed_tools' && typeof choice.mode === 'string') return choice.mode;
  return undefined;
}

/** Logs the tools left out (the caller says each kind once per process). */
export function logDroppedTools(dropped: readonly string[], context: ExchangeContext): void {
  context.log.warn({ dropped_tools: dropped }, 'tools NIM cannot run were not sent upstream (said once)');
}

/** Whether the request offers the model tools it may call (some function tools, and `tool_choice` is not `none`). */
export function offersResponsesTools(body: ResponsesRequest): boolean {
  return toChatTools(body).tools.length > 0 && body.tool_choice !== 'none';
}
