import { http, type HttpHandler } from 'msw';
import { checkAuth } from './auth.js';
import { countTokens } from './completion-content.js';
import { wholeResponseFault } from './faults.js';
import { uuidFor } from './ids.js';
import { jsonBodyResponse } from './json-body-response.js';
import type { MockContext } from './mock-context.js';
import { withNvcfHeaders } from './nvcf-headers.js';
import { jsonResponse, problemDetails } from './problem-details.js';
import { invalidJsonResponse, unprocessable } from './request-schema.js';
import type { Scenario } from './scenario.js';
import { sleep } from './sleep.js';

/** The fields NIM's embeddings schema takes; any other is `extra_forbidden`. */
const EMBEDDINGS_FIELDS = new Set(['model', 'input', 'encoding_format', 'input_type', 'truncate', 'user', 'dimensions']);

/**
 * `POST {base}/embeddings`, in NIM's order: (silence) → injected fault → auth → JSON → strict schema → unknown or
 * non-embedding model (404) → `dimensions` on a model without Matryoshka sizes (400, pydantic's detail) →
 * `input_type` missing on an asymmetric model (400) → the vectors, as floats or base64 (float32, little-endian).
 */
export function embeddingsHandler(context: MockContext, urlPrefix: string): HttpHandler {
  return http.post(`${urlPrefix}/embeddings`, async ({ request }) => {
    const { control } = context;
    const signal = context.signalFor(request);
    const scenario = control.resolve('embeddings');
    if (!(await sleep(scenario.timing?.firstByteDelayMs ?? 0, signal))) return Response.error();
    const faulted = await wholeResponseFault(scenario.fault, signal);
    if (faulted) return faulted;
    // Past the injected faults, every answer is NIM's own, errors included, and names the call as NIM does.
    return withNvcfHeaders(await nimAnswer(context, request, scenario, signal), context.nextCall());
  });
}

/** NIM's answer to a request no injected fault replaced: auth, schema, model checks, then the vectors. */
async function nimAnswer(context: MockContext, request: Request, scenario: Scenario, signal: AbortSignal): Promise<Response> {
  const { settings } = context;
  const rejected = checkAuth(request, { apiKey: settings.apiKey, failureStatus: settings.authFailureStatus });
  if (rejected) return rejected;

  let body: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(await request.text());
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return invalidJsonResponse();
    body = parsed as Record<string, unknown>;
  } catch {
    return invalidJsonResponse();
  }
  const extra = Object.keys(body).filter((field) => !EMBEDDINGS_FIELDS.has(field));
  if (extra.length > 0) {
    return unprocessable(extra.map((field) => ({ type: 'extra_forbidden', loc: ['body', field], msg: 'Extra inputs are not permitted', input: body[field] })));
  }
  const missing = (['model', 'input'] as const).filter((field) => body[field] === undefined);
  if (missing.length > 0) return unprocessable(missing.map((field) => ({ type: 'missing', loc: ['body', field], msg: 'Field required', input: body })));
  const model = settings.models.find((entry) => entry.id === body.model);
  const spec = model?.embedding;
  if (!spec) {
    return jsonResponse(problemDetails(404, `Function '${uuidFor(String(body.model))}': Not found for account '${settings.accountId}'`), 404);
  }
  if (body.dimensions !== undefined && spec.matryoshka !== true) {
    return jsonResponse({ detail: { type: 'extra_forbidden', loc: ['body', 'dimensions'] } }, 400);
  }
  if (spec.inputTypeRequired && body.input_type === undefined) {
    return jsonResponse(
      { object: 'error', message: "'input_type' parameter is required for asymmetric models", type: 'BadRequestError', param: null, code: 400 },
      400,
    );
  }
  const inputs = typeof body.input === 'string' ? [body.input] : Array.isArray(body.input) ? body.input : [String(body.input)];
  const size = typeof body.dimensions === 'number' ? body.dimensions : spec.dimensions;
  const base64 = body.encoding_format === 'base64';
  const data = inputs.map((input, index) => {
    const vector = vectorFor(JSON.stringify(input), String(body.input_type ?? ''), size);
    return { index, embedding: base64 ? float32Base64(vector) : vector, object: 'embedding' };
  });
  const tokens = inputs.reduce<number>((sum, input) => sum + (typeof input === 'string' ? countTokens(input) : Array.isArray(input) ? input.length : 1), 0);
  const answer = { object: 'list', data, model: body.model, usage: { prompt_tokens: tokens, total_tokens: tokens } };
  return jsonBodyResponse(JSON.stringify(answer), { timing: scenario.timing, fault: scenario.fault, signal });
}

/**
 * A deterministic unit vector for a text and its input type: the same text embeds the same, a query and a passage
 * of it differently, as an asymmetric model's do. Values are float32-exact, so the base64 form decodes to them.
 * Seeded from the text's FNV-1a hash (no Node API: the handlers also run in a browser's service worker).
 */
export function vectorFor(text: string, inputType: string, size: number): number[] {
  let seed = 0x811c9dc5;
  for (const char of `${inputType}\n${text}`) seed = Math.imul(seed ^ char.codePointAt(0)!, 0x01000193) >>> 0;
  const values: number[] = [];
  for (let n = 0; n < size; n++) {
    seed = (Math.imul(seed ^ (seed >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    values.push(seed / 0x80000000 - 1);
  }
  const norm = Math.hypot(...values) || 1;
  return values.map((value) => Math.fround(value / norm));
}

/** Numbers as OpenAI's `encoding_format: "base64"` sends them: float32, little-endian, base64. */
function float32Base64(vector: readonly number[]): string {
  const bytes = new Uint8Array(new Float32Array(vector).buffer);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}
