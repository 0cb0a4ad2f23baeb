import { countTokens, splitIntoPieces, type ExpectedCompletion, type Usage } from './completion-content.js';
import { completionId, toolCallId } from './ids.js';
import type { CompletionMeta } from './json-completion.js';
import type { StreamShape } from './scenario.js';

/** Size of the pieces tool-call arguments are streamed in. */
export const TOOL_ARGUMENT_PIECE = 16;

export interface FrameOptions {
  shape?: StreamShape;
  /** Insert garbage lines (a broken `data:` JSON, a line that is not SSE) after the first frame. */
  malformed?: boolean;
  /** After this many frames, an error event (vLLM's shape) and `[DONE]` instead of the rest. */
  streamError?: { afterChunks: number; message: string };
}

type Delta = Record<string, unknown>;

function chopArguments(text: string): string[] {
  const pieces: string[] = [];
  for (let i = 0; i < text.length; i += TOOL_ARGUMENT_PIECE) pieces.push(text.slice(i, i + TOOL_ARGUMENT_PIECE));
  return pieces;
}

/**
 * The SSE body of a streamed completion, one element per write: role delta, reasoning deltas, content deltas,
 * tool-call deltas, finish chunk, optional usage-only chunk, `[DONE]`. Concatenating the content deltas gives
 * the JSON completion's `content`.
 */
export function chatCompletionFrames(
  expected: ExpectedCompletion,
  meta: CompletionMeta,
  options: FrameOptions = {},
): string[] {
  const shape = options.shape ?? {};
  const usageMode = shape.usage ?? 'final-empty-choices';
  const eol = shape.crlf ? '\r\n' : '\n';
  const id = completionId(meta.sequence, shape.idStyle);
  const head = { id, object: 'chat.completion.chunk', created: meta.created, model: meta.model };

  const emitted = { content: '', reasoning: '', args: '' };
  const usageSoFar = (): Usage => {
    const completion = countTokens(emitted.content) + countTokens(emitted.reasoning) + countTokens(emitted.args);
    const prompt = expected.usage.prompt_tokens;
    return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
  };

  const chunks: Record<string, unknown>[] = [];
  const push = (delta: Delta, finishReason: string | null = null): void => {
    const chunk: Record<string, unknown> = {
      ...head,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    };
    if (usageMode === 'incremental') chunk.usage = usageSoFar();
    chunks.push(chunk);
  };

  push({ role: 'assistant', content: '' });
  for (const piece of splitIntoPieces(expected.reasoningContent ?? '')) {
    emitted.reasoning += piece;
    push({ reasoning_content: piece });
  }
  for (const piece of splitIntoPieces(expected.content ?? '')) {
    emitted.content += piece;
    push({ content: piece });
  }
  expected.toolCalls.forEach((call, index) => {
    const callId = toolCallId(meta.sequence, index, shape.idStyle);
    const full = (args: string): Delta => ({
      tool_calls: [{ index, id: callId, type: 'function', function: { name: call.name, arguments: args } }],
    });
    push(full(''));
    for (const piece of chopArguments(call.arguments)) {
      emitted.args += piece;
      push(shape.repeatToolName ? full(piece) : { tool_calls: [{ index, function: { arguments: piece } }] });
    }
  });
  push({}, expected.finishReason);
  if (expected.stopReason !== undefined) (chunks.at(-1)!.choices as Record<string, unknown>[])[0]!.stop_reason = expected.stopReason;
  const last = chunks[chunks.length - 1];
  if (usageMode === 'final-chunk' && last) last.usage = expected.usage;
  if (usageMode === 'final-empty-choices') chunks.push({ ...head, choices: [], usage: expected.usage });
  if (usageMode === 'final-no-choices') chunks.push({ ...head, usage: expected.usage });

  const frames = chunks.map((chunk) => `data: ${JSON.stringify(chunk)}${eol}${eol}`);
  const failure = options.streamError;
  if (failure) {
    frames.splice(failure.afterChunks);
    const error = { object: 'error', message: failure.message, type: 'InternalServerError', param: null, code: 500 };
    frames.push(`data: ${JSON.stringify({ error })}${eol}${eol}`);
  }
  frames.push(`data: [DONE]${eol}${eol}`);
  if (options.malformed) {
    frames.splice(1, 0, `data: {"id": "chatcmpl-broken", "choices": [{"delta": ${eol}${eol}`, `this line is not SSE${eol}${eol}`);
  }
  return shape.comments ? frames.map((frame) => `: keep-alive${eol}${eol}${frame}`) : frames;
}
