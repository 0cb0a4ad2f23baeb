import { messageText, stripDirectives } from './directive.js';
import type { Scenario, ScriptedToolCall } from './scenario.js';

/** A tool call as the mock sends it: the name and the arguments' JSON text. */
export interface ToolCallText {
  name: string;
  arguments: string;
}

// The mock depends on no workspace package (it must stay usable without the proxy's own code), so it keeps this
// one copy of @proxy/core's isRecord.
function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function callProblem(call: unknown, where: string): string | undefined {
  if (!isRecord(call)) return `${where} must be an object {"name": …, "arguments": …}`;
  if (typeof call.name !== 'string' || call.name === '') return `${where}.name must be a non-empty string`;
  const args = call.arguments;
  if (args !== undefined && typeof args !== 'string' && !isRecord(args)) {
    return `${where}.arguments must be an object or JSON text`;
  }
  return undefined;
}

/**
 * Why the scenario's scripted tool calls are malformed, or `undefined`. Checked where a scenario comes in (the
 * directive, the merged scenario of a request), so a typo answers a 400 that says why instead of a confusing
 * completion.
 */
export function scriptedToolProblem(scenario: Scenario | undefined): string | undefined {
  if (!scenario) return undefined;
  if (scenario.toolCall !== undefined) {
    const problem = callProblem(scenario.toolCall, 'toolCall');
    if (problem) return problem;
  }
  if (scenario.toolCalls !== undefined) {
    if (!Array.isArray(scenario.toolCalls) || scenario.toolCalls.length === 0) {
      return 'toolCalls must be a non-empty array';
    }
    for (const [index, call] of scenario.toolCalls.entries()) {
      const problem = callProblem(call, `toolCalls[${index}]`);
      if (problem) return problem;
    }
  }
  if (scenario.finalAnswer !== undefined && typeof scenario.finalAnswer !== 'string') {
    return 'finalAnswer must be a string';
  }
  if (scenario.unscriptedTools !== undefined && scenario.unscriptedTools !== 'call' && scenario.unscriptedTools !== 'answer') {
    return `unscriptedTools must be 'call' or 'answer'`;
  }
  return undefined;
}

function argumentsText(call: ScriptedToolCall): string {
  if (call.arguments === undefined) return '{}';
  // JSON text goes out untouched: a test may script the truncated or odd argument JSON some models stream.
  return typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments);
}

/** The scenario's scripted calls (`toolCalls`, else `toolCall`), or `undefined` when none is scripted. */
export function scriptedToolCalls(scenario: Scenario): ToolCallText[] | undefined {
  const calls = scenario.toolCalls ?? (scenario.toolCall ? [scenario.toolCall] : undefined);
  return calls?.map((call) => ({ name: call.name, arguments: argumentsText(call) }));
}

function roleOf(message: unknown): unknown {
  return isRecord(message) ? message.role : undefined;
}

/**
 * The texts of the tool results that came after the last assistant message (without directives), or
 * `undefined` if none did: the turn then asks the model to act, not to answer.
 *
 * "After the last assistant message" rather than "the last message": a translator may put the text blocks that
 * share a user turn with a `tool_result` (Claude Code's system reminders) in a user message after the tool
 * message, and a mock that called the tool again would loop the agent forever.
 */
export function toolResultsSinceAssistant(messages: unknown): string[] | undefined {
  if (!Array.isArray(messages)) return undefined;
  const texts: string[] = [];
  for (let i = messages.length - 1; i >= 0; i -= 1) {
    const role = roleOf(messages[i]);
    if (role === 'assistant') break;
    if (role === 'tool') texts.unshift(stripDirectives(messageText(messages[i])));
  }
  return texts.length > 0 ? texts : undefined;
}

/** The default answer after tool results: `Tool result: <text>`, several results one per line. */
export function toolResultReply(results: readonly string[]): string {
  return `Tool result: ${results.join('\n')}`;
}
