import { jsonResponse } from './problem-details.js';

/** Top-level fields hosted NIM's chat endpoint accepts (its OpenAI subset plus NVIDIA extensions). */
export const KNOWN_CHAT_FIELDS: readonly string[] = [
  'model',
  'messages',
  'temperature',
  'top_p',
  'max_tokens',
  'stream',
  'stop',
  'seed',
  'n',
  'frequency_penalty',
  'presence_penalty',
  'logprobs',
  'top_logprobs',
  'logit_bias',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'response_format',
  'user',
  'nvext',
  'chat_template_kwargs',
  'reasoning_effort',
  // vLLM's chat-template controls, sent for an Anthropic prefill; a model whose schema refuses them: `rejectFields`.
  'continue_final_message',
  'add_generation_prompt',
];

/** Rejected whatever the options say: NIM has never accepted them. */
export const ALWAYS_REJECTED_FIELDS: readonly string[] = ['max_completion_tokens', 'stream_options'];

/**
 * The shapes NIM uses to reject an extra field:
 * - `problem-422`: `{"type":"urn:inference-service:problem-details:bad-request","status":422,…,"detail":"[{'type': 'extra_forbidden', …}]"}`
 * - `message-400`: `{"message":"Validation: Unsupported parameter(s): `x`"}`
 * - `detail-400`: `{"detail":{"type":"extra_forbidden","loc":["body","x"]}}`
 * - `openai-400`: `{"error":{"message":…,"type":"invalid_request_error","param":"x","code":null}}`
 * - `detail-list-422`: FastAPI's own `{"detail":[{"type":"extra_forbidden","loc":["body","x"],"msg":…,"input":…}]}`
 * - `prose-422`: problem details whose `detail` is prose: `"Extra inputs are not permitted: x"`
 */
export type ValidationErrorStyle = 'problem-422' | 'message-400' | 'detail-400' | 'openai-400' | 'detail-list-422' | 'prose-422';

export interface SchemaOptions {
  /** Fields to reject on top of {@link ALWAYS_REJECTED_FIELDS}, even if otherwise known (e.g. `frequency_penalty`). */
  rejectFields: readonly string[];
  /** Fields of `tools[i].function` to refuse at their nested location (always in a pydantic list). */
  rejectToolFields?: readonly string[];
  /** Fields to accept on top of {@link KNOWN_CHAT_FIELDS}. */
  allowFields: readonly string[];
  validationErrorStyle: ValidationErrorStyle;
}

const BAD_REQUEST_TYPE = 'urn:inference-service:problem-details:bad-request';

interface PydanticError {
  type: string;
  loc: ReadonlyArray<string | number>;
  msg: string;
  input?: unknown;
  ctx?: Record<string, unknown>;
}

/** Python's `repr`, closely enough for the error details NIM's FastAPI front end prints. */
function pythonRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(', ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    return `{${entries.map(([k, v]) => `${pythonRepr(k)}: ${pythonRepr(v)}`).join(', ')}}`;
  }
  return String(value);
}

function pydanticDetail(errors: readonly PydanticError[]): string {
  const items = errors.map((error) => {
    const loc = `(${error.loc.map(pythonRepr).join(', ')})`;
    const input = 'input' in error ? `, 'input': ${pythonRepr(error.input)}` : '';
    const ctx = error.ctx ? `, 'ctx': ${pythonRepr(error.ctx)}` : '';
    return `{'type': ${pythonRepr(error.type)}, 'loc': ${loc}, 'msg': ${pythonRepr(error.msg)}${input}${ctx}}`;
  });
  return `[${items.join(', ')}]`;
}

export function unprocessable(errors: readonly PydanticError[]): Response {
  return jsonResponse(
    {
      type: BAD_REQUEST_TYPE,
      status: 422,
      title: 'Unprocessable Entity',
      detail: pydanticDetail(errors),
    },
    422,
  );
}

/**
 * `also`: the body's other schema errors (a `max_tokens` over the model's cap), which pydantic lists in the same
 * answer; the pydantic-list styles carry them, the others name the fields only.
 */
function extraForbidden(fields: readonly string[], body: Record<string, unknown>, style: ValidationErrorStyle, also: readonly PydanticError[] = []): Response {
  const first = fields[0] ?? '';
  switch (style) {
    case 'message-400':
      return jsonResponse(
        { message: `Validation: Unsupported parameter(s): ${fields.map((f) => `\`${f}\``).join(', ')}` },
        400,
      );
    case 'detail-400':
      return jsonResponse({ detail: { type: 'extra_forbidden', loc: ['body', first] } }, 400);
    case 'openai-400':
      return jsonResponse(
        {
          error: {
            message: `Unrecognized request argument supplied: ${first}`,
            type: 'invalid_request_error',
            param: first,
            code: null,
          },
        },
        400,
      );
    case 'detail-list-422':
      return jsonResponse(
        {
          detail: [
            ...fields.map((field) => ({ type: 'extra_forbidden', loc: ['body', field], msg: 'Extra inputs are not permitted', input: body[field] ?? null })),
            ...also,
          ],
        },
        422,
      );
    case 'prose-422':
      return jsonResponse(
        { type: BAD_REQUEST_TYPE, status: 422, title: 'Unprocessable Entity', detail: `Extra inputs are not permitted: ${fields.join(', ')}` },
        422,
      );
    case 'problem-422':
      return unprocessable([
        ...fields.map((field) => ({
          type: 'extra_forbidden',
          loc: ['body', field],
          msg: 'Extra inputs are not permitted',
          input: body[field],
        })),
        ...also,
      ]);
  }
}

/**
 * The fields one model's schema refuses on top of the endpoint's (NIM builds differ per model: `reasoning`,
 * `frequency_penalty`…), in the mock's configured wording; `undefined` when the body carries none of them.
 */
export function modelFieldsProblem(body: Record<string, unknown>, model: { rejectFields?: readonly string[] | undefined; maxTokens?: number | undefined }, style: ValidationErrorStyle): Response | undefined {
  const { rejectFields } = model;
  if (rejectFields === undefined) return undefined;
  const extra = Object.keys(body).filter((field) => rejectFields.includes(field));
  return extra.length > 0 ? extraForbidden(extra, body, style, maxTokensErrors(body, model.maxTokens)) : undefined;
}

/** A `max_tokens` over the model's limit, as NIM's schema refuses it; `undefined` when it fits. */
export function maxTokensProblem(body: { max_tokens?: unknown }, limit: number | undefined): Response | undefined {
  const errors = maxTokensErrors(body, limit);
  return errors.length > 0 ? unprocessable(errors) : undefined;
}

/** pydantic's `less_than_equal` for a `max_tokens` over `limit`, as a list of none or one error. */
function maxTokensErrors(body: { max_tokens?: unknown }, limit: number | undefined): PydanticError[] {
  if (limit === undefined || typeof body.max_tokens !== 'number' || body.max_tokens <= limit) return [];
  return [{ type: 'less_than_equal', loc: ['body', 'max_tokens'], msg: `Input should be less than or equal to ${limit}`, input: body.max_tokens, ctx: { le: limit } }];
}

/** vLLM's refusal of tools by a model served without a tool-call parser; `undefined` when the request may pass. */
export function toolParserProblem(body: { tools?: unknown; tool_choice?: unknown }, hasParser: boolean): Response | undefined {
  if (hasParser || !Array.isArray(body.tools) || body.tools.length === 0) return undefined;
  if (body.tool_choice !== undefined && body.tool_choice !== 'auto') return undefined;
  return jsonResponse(
    { object: 'error', message: '"auto" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set', type: 'BadRequestError', param: null, code: 400 },
    400,
  );
}

/**
 * DeepSeek-V4-style reasoning models' refusal of a conversation whose assistant tool-call message lost its
 * `reasoning_content` (a translator must send it back, an empty string will do); `undefined` when the request may
 * pass or the model has no such rule.
 */
export function missingReasoningProblem(body: { messages?: unknown }, required: boolean): Response | undefined {
  if (!required || !Array.isArray(body.messages)) return undefined;
  const index = body.messages.findIndex((message: unknown) => {
    if (typeof message !== 'object' || message === null) return false;
    const { role, tool_calls: toolCalls, reasoning_content: reasoning } = message as Record<string, unknown>;
    return role === 'assistant' && Array.isArray(toolCalls) && toolCalls.length > 0 && typeof reasoning !== 'string';
  });
  if (index === -1) return undefined;
  return jsonResponse(
    {
      error: {
        message: `Missing \`reasoning_content\` field in the assistant message at message index ${index}. For more information, please refer to https://api-docs.deepseek.com/guides/thinking_mode#tool-calls`,
        type: 'invalid_request_error',
        param: null,
        code: 'invalid_request_error',
      },
    },
    400,
  );
}

/** pydantic's `extra_forbidden` for each refused field of a tool's `function`, at its nested location. */
function nestedToolErrors(tools: unknown, refused: readonly string[]): PydanticError[] {
  if (refused.length === 0 || !Array.isArray(tools)) return [];
  const errors: PydanticError[] = [];
  tools.forEach((tool: unknown, index) => {
    const fn = typeof tool === 'object' && tool !== null ? (tool as { function?: unknown }).function : undefined;
    if (typeof fn !== 'object' || fn === null) return;
    for (const [field, input] of Object.entries(fn)) {
      if (refused.includes(field)) errors.push({ type: 'extra_forbidden', loc: ['body', 'tools', index, 'function', field], msg: 'Extra inputs are not permitted', input });
    }
  });
  return errors;
}

/** A body that is not JSON at all. */
export function invalidJsonResponse(): Response {
  return unprocessable([{ type: 'json_invalid', loc: ['body', 0], msg: 'JSON decode error', input: {} }]);
}

/**
 * Validates a parsed chat-completions body; returns the rejection to send, or `undefined`. `maxTokens`: the cap of
 * the model the body names, whose refusal pydantic lists with the refused fields.
 */
export function validateChatRequest(body: unknown, options: SchemaOptions, maxTokens?: number): Response | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return unprocessable([
      { type: 'model_attributes_type', loc: ['body'], msg: 'Input should be a valid dictionary', input: body },
    ]);
  }
  const record = body as Record<string, unknown>;
  const missing = (['messages', 'model'] as const).filter((field) => record[field] === undefined);
  if (missing.length > 0) {
    return unprocessable(
      missing.map((field) => ({ type: 'missing', loc: ['body', field], msg: 'Field required', input: record })),
    );
  }
  const rejected = new Set([...ALWAYS_REJECTED_FIELDS, ...options.rejectFields]);
  const allowed = new Set([...KNOWN_CHAT_FIELDS, ...options.allowFields]);
  const extra = Object.keys(record).filter((field) => rejected.has(field) || !allowed.has(field));
  const nested = nestedToolErrors(record.tools, options.rejectToolFields ?? []);
  if (extra.length > 0) return extraForbidden(extra, record, options.validationErrorStyle, [...nested, ...maxTokensErrors(record, maxTokens)]);
  if (nested.length > 0) {
    const errors = [...nested, ...maxTokensErrors(record, maxTokens)];
    return options.validationErrorStyle === 'detail-list-422' ? jsonResponse({ detail: errors }, 422) : unprocessable(errors);
  }
  if (typeof record.model !== 'string') {
    return unprocessable([{ type: 'string_type', loc: ['body', 'model'], msg: 'Input should be a valid string', input: record.model }]);
  }
  if (!Array.isArray(record.messages)) {
    return unprocessable([
      { type: 'list_type', loc: ['body', 'messages'], msg: 'Input should be a valid list', input: record.messages },
    ]);
  }
  return undefined;
}
