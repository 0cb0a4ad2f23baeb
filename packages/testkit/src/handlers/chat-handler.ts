import { http, type HttpHandler } from 'msw';
import { checkAuth, presentedKey, unauthorized } from './auth.js';
import { chunkedResponse } from './chunked-response.js';
import { expectedCompletion } from './completion-content.js';
import { InvalidDirectiveError, readDirectives } from './directive.js';
import { wholeResponseFault } from './faults.js';
import { uuidFor } from './ids.js';
import { chatCompletionBody } from './json-completion.js';
import { jsonBodyResponse } from './json-body-response.js';
import type { MockContext } from './mock-context.js';
import { withNvcfHeaders } from './nvcf-headers.js';
import { jsonResponse, problemDetails } from './problem-details.js';
import { contextWindowProblem } from './context-window.js';
import { invalidJsonResponse, maxTokensProblem, missingReasoningProblem, modelFieldsProblem, toolParserProblem, validateChatRequest } from './request-schema.js';
import type { Scenario } from './scenario.js';
import { scriptedToolProblem } from './scripted-tools.js';
import { sleep } from './sleep.js';
import { chatCompletionFrames } from './sse-stream.js';

/** What a `stream-error` fault's event says without a `message` (vLLM's words for a failed generation). */
const DEFAULT_STREAM_ERROR = 'Internal server error: the engine failed while generating';

/** Without a `disconnect.afterChunks` (or a `stream-error`'s), the stream fails after the role frame and one more. */
export const DEFAULT_DISCONNECT_AFTER_CHUNKS = 2;

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/**
 * `POST {base}/chat/completions`, in NIM's order: (silence) → injected fault → auth → JSON → strict schema →
 * retired (410) / unknown (404) model / a model not enabled for the key (401) → the completion, as JSON or as an SSE stream.
 */
export function chatHandler(context: MockContext, urlPrefix: string): HttpHandler {
  return http.post(`${urlPrefix}/chat/completions`, async ({ request }) => {
    const { control } = context;
    const signal = context.signalFor(request);
    const parsed = parseJson(await request.text());
    const body = parsed.ok && typeof parsed.value === 'object' && parsed.value !== null ? parsed.value : {};
    const messages = (body as { messages?: unknown }).messages;

    let directive: Scenario | undefined;
    try {
      directive = readDirectives(messages);
    } catch (error) {
      if (!(error instanceof InvalidDirectiveError)) throw error;
      return jsonResponse(problemDetails(400, error.message), 400);
    }
    const scenario = control.resolve('chat', directive);
    // Checked on the merged scenario, so a malformed script set through the API is reported as well.
    const scriptProblem = scriptedToolProblem(scenario);
    if (scriptProblem) return jsonResponse(problemDetails(400, `mock-nim: the scenario's ${scriptProblem}`), 400);

    if (!(await sleep(scenario.timing?.firstByteDelayMs ?? 0, signal))) return Response.error();
    const faulted = await wholeResponseFault(scenario.fault, signal);
    if (faulted) return faulted;
    // Past the injected faults, every answer is NIM's own, errors included, and names the call as NIM does.
    return withNvcfHeaders(await nimAnswer(context, request, parsed, scenario, signal), context.nextCall());
  });
}

/** NIM's answer to a request no injected fault replaced: auth, schema, model checks, then the completion. */
async function nimAnswer(
  context: MockContext,
  request: Request,
  parsed: { ok: true; value: unknown } | { ok: false },
  scenario: Scenario,
  signal: AbortSignal,
): Promise<Response> {
  const { settings } = context;
  const rejected = checkAuth(request, { apiKey: settings.apiKey, failureStatus: settings.authFailureStatus });
  if (rejected) return rejected;
  if (!parsed.ok) return invalidJsonResponse();
  const named = (parsed.value as { model?: unknown } | null)?.model;
  const invalid = validateChatRequest(parsed.value, settings, settings.models.find((entry) => entry.id === named)?.maxTokens);
  if (invalid) return invalid;

  const chat = parsed.value as { model: string; stream?: unknown; messages: unknown[]; max_tokens?: unknown; tools?: unknown; tool_choice?: unknown };
  if (settings.retiredModels.includes(chat.model)) {
    return jsonResponse(
      problemDetails(410, `Model '${chat.model}' has reached its end of life and is no longer available`),
      410,
    );
  }
  const model = settings.models.find((entry) => entry.id === chat.model);
  if (!model) {
    return jsonResponse(
      problemDetails(404, `Function '${uuidFor(chat.model)}': Not found for account '${settings.accountId}'`),
      404,
    );
  }
  const key = presentedKey(request);
  if (model.keys !== undefined && settings.apiKey !== false && (key === undefined || !model.keys.includes(key))) {
    return unauthorized('Unauthorized');
  }
  const refusedHere = modelFieldsProblem(parsed.value as Record<string, unknown>, model, settings.validationErrorStyle);
  if (refusedHere) return refusedHere;
  const noParser = toolParserProblem(chat, model.toolParser !== false);
  if (noParser) return noParser;
  const tooMany = maxTokensProblem(chat, model.maxTokens);
  if (tooMany) return tooMany;
  const tooLong = contextWindowProblem(chat, model.contextTokens);
  if (tooLong) return tooLong;
  const lostReasoning = missingReasoningProblem(chat, model.reasoningReplay === true);
  if (lostReasoning) return lostReasoning;

  const sequence = context.nextSequence();
  const expected = expectedCompletion(chat, { scenario, models: settings.models });
  const meta = {
    sequence,
    model: chat.model,
    created: Math.floor(settings.clock() / 1000),
    idStyle: scenario.stream?.idStyle,
  };

  if (chat.stream !== true && model.noChoicesWithoutMaxTokens === true && chat.max_tokens == null) {
    return jsonBodyResponse(JSON.stringify({ ...chatCompletionBody(expected, meta), choices: [] }), { timing: scenario.timing, fault: scenario.fault, signal });
  }
  if (chat.stream !== true) {
    return jsonBodyResponse(JSON.stringify(chatCompletionBody(expected, meta)), {
      timing: scenario.timing,
      fault: scenario.fault,
      signal,
    });
  }
  const fault = scenario.fault;
  const frames = chatCompletionFrames(expected, meta, {
    shape: scenario.stream,
    malformed: fault?.type === 'malformed-sse',
    streamError:
      fault?.type === 'stream-error'
        ? { afterChunks: fault.afterChunks ?? DEFAULT_DISCONNECT_AFTER_CHUNKS, message: fault.message ?? DEFAULT_STREAM_ERROR }
        : undefined,
  });
  return chunkedResponse(frames, {
    status: 200,
    headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' },
    timing: scenario.timing,
    disconnectAfter: fault?.type === 'disconnect' ? (fault.afterChunks ?? DEFAULT_DISCONNECT_AFTER_CHUNKS) : undefined,
    signal,
  });
}
