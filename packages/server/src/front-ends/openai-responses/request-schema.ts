import { z } from 'zod';

// The Responses request as far as the translation reads it. Objects are loose: fields the proxy does not send
// upstream (`store`, `include`, `prompt_cache_key`, `client_metadata`, …) are accepted and ignored, so a new
// client field never breaks a client. What the translation does read is checked here, once, so a wrong value is
// a 400 naming its field and NIM is never called with it.

const textPart = z.looseObject({ type: z.enum(['input_text', 'output_text']), text: z.string() });
const refusalPart = z.looseObject({ type: z.literal('refusal'), refusal: z.string() });
const imagePart = z.looseObject({
  type: z.literal('input_image'),
  image_url: z.string().min(1, 'must be a URL or a data: URL (uploaded files are not supported)').nullable().optional(),
  file_id: z.string().nullable().optional(),
  detail: z.enum(['low', 'high', 'auto', 'original']).nullable().optional(),
});
const filePart = z.looseObject({ type: z.literal('input_file') });

export const contentPartSchema = z.discriminatedUnion('type', [textPart, refusalPart, imagePart, filePart]);
export type ContentPart = z.infer<typeof contentPartSchema>;

/**
 * A string, or what `schema` accepts. Not `z.union`: when both fail it reports "invalid input" on the whole value,
 * where this reports the array's own issue (`input[0].content[1].type`).
 */
function stringOr<T extends z.ZodType>(schema: T) {
  return z.unknown().transform((value, context): string | z.output<T> => {
    if (typeof value === 'string') return value;
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    const message = Array.isArray(value) ? undefined : 'must be a string or an array';
    for (const issue of result.error.issues) context.issues.push({ code: 'custom', message: message ?? issue.message, path: message ? [] : issue.path, input: value });
    return z.NEVER;
  });
}
const textOrParts = stringOr(z.array(contentPartSchema));

const messageItem = z.looseObject({
  type: z.literal('message').optional(),
  role: z.enum(['user', 'assistant', 'system', 'developer']),
  content: textOrParts,
});

const functionCallItem = z.looseObject({
  type: z.literal('function_call'),
  call_id: z.string().min(1),
  name: z.string().min(1),
  namespace: z.string().nullable().optional(),
  arguments: z.string(),
});

const functionCallOutputItem = z.looseObject({
  type: z.literal('function_call_output'),
  call_id: z.string().min(1),
  output: textOrParts,
});

const summaryText = z.looseObject({ type: z.string(), text: z.string() });
const reasoningItem = z.looseObject({
  type: z.literal('reasoning'),
  summary: z.array(summaryText).nullable().optional(),
  content: z.array(summaryText).nullable().optional(),
  encrypted_content: z.string().nullable().optional(),
});

/**
 * An item or a tool, checked by the schema its `type` selects, so an error names the exact field
 * (`input[3].call_id`) instead of zod's "no union member matched". Types the proxy does not translate pass with
 * their `type` only: the translation decides what to do with them (drop and log, or refuse).
 */
function byType<const Schemas extends Record<string, z.ZodType>>(schemas: Schemas, typeless?: keyof Schemas & string) {
  return z.looseObject({ type: z.string().optional() }).transform((value, context) => {
    const type = value.type ?? typeless;
    const schema: z.ZodType | undefined = type === undefined ? undefined : schemas[type];
    if (!schema) {
      if (value.type === undefined) context.issues.push({ code: 'custom', message: "must have a 'type'", path: ['type'], input: value });
      return value as { type: string } & Record<string, unknown>;
    }
    const result = schema.safeParse(value);
    if (result.success) return result.data as z.infer<Schemas[keyof Schemas]>;
    for (const issue of result.error.issues) context.issues.push({ code: 'custom', message: issue.message, path: issue.path, input: value });
    return z.NEVER;
  });
}

export const inputItemSchema = byType(
  { message: messageItem, function_call: functionCallItem, function_call_output: functionCallOutputItem, reasoning: reasoningItem },
  'message',
);
export type MessageItem = z.infer<typeof messageItem>;
export type FunctionCallItem = z.infer<typeof functionCallItem>;
export type FunctionCallOutputItem = z.infer<typeof functionCallOutputItem>;
export type ReasoningItem = z.infer<typeof reasoningItem>;
export type InputItem = z.output<typeof inputItemSchema>;

const functionTool = z.looseObject({
  type: z.literal('function'),
  name: z.string().min(1),
  description: z.string().nullable().optional(),
  parameters: z.record(z.string(), z.unknown()).nullable().optional(),
  strict: z.boolean().nullable().optional(),
});
const namespaceTool = z.looseObject({
  type: z.literal('namespace'),
  name: z.string().min(1),
  description: z.string().nullable().optional(),
  tools: z.array(z.looseObject({ type: z.string(), name: z.string().min(1) })),
});
export const toolSchema = byType({ function: functionTool, namespace: namespaceTool });
export type FunctionTool = z.infer<typeof functionTool>;
export type NamespaceTool = z.infer<typeof namespaceTool>;
export type Tool = z.output<typeof toolSchema>;

// A choice of a hosted tool passes with its type only (the translation falls back to the default for it); a
// function or allowed_tools choice must be whole, so one without its name or mode is a 400 rather than ignored.
// Chosen by the value's kind rather than as a zod union, so an error names the field (`tool_choice.name`) instead
// of saying that no member matched.
const toolChoiceMode = z.enum(['auto', 'none', 'required']);
const toolChoiceObject = byType({
  function: z.looseObject({ type: z.literal('function'), name: z.string().min(1), namespace: z.string().nullable().optional() }),
  allowed_tools: z.looseObject({
    type: z.literal('allowed_tools'),
    mode: z.enum(['auto', 'required']),
    tools: z.array(z.looseObject({ type: z.string(), name: z.string().optional(), namespace: z.string().nullable().optional() })),
  }),
});
const toolChoice = z.unknown().transform((value, context) => {
  const result = typeof value === 'string' ? toolChoiceMode.safeParse(value) : toolChoiceObject.safeParse(value);
  if (result.success) return result.data;
  for (const issue of result.error.issues) context.issues.push({ code: 'custom', message: issue.message, path: issue.path, input: value });
  return z.NEVER;
});

const textFormat = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('text') }),
  z.looseObject({ type: z.literal('json_object') }),
  z.looseObject({
    type: z.literal('json_schema'),
    name: z.string().min(1),
    schema: z.record(z.string(), z.unknown()),
    description: z.string().nullable().optional(),
    strict: z.boolean().nullable().optional(),
  }),
]);

export const responsesRequestSchema = z.looseObject({
  model: z.string().min(1, 'must be a non-empty string'),
  // A plain string is one user message.
  input: z.preprocess((input) => (typeof input === 'string' ? [{ type: 'message', role: 'user', content: input }] : input), z.array(inputItemSchema)).optional(),
  instructions: z.string().nullable().optional(),
  stream: z.boolean().nullable().optional(),
  tools: z.array(toolSchema).nullable().optional(),
  tool_choice: toolChoice.nullable().optional(),
  parallel_tool_calls: z.boolean().nullable().optional(),
  max_output_tokens: z.number().int().positive().nullable().optional(),
  temperature: z.number().min(0).max(2).nullable().optional(),
  top_p: z.number().min(0).max(1).nullable().optional(),
  reasoning: z
    .looseObject({
      effort: z.enum(['none', 'minimal', 'low', 'medium', 'high', 'xhigh']).nullable().optional(),
      summary: z.string().nullable().optional(),
    })
    .nullable()
    .optional(),
  text: z.looseObject({ format: textFormat.nullable().optional() }).nullable().optional(),
  previous_response_id: z.string().nullable().optional(),
  conversation: z.unknown().optional(),
  prompt: z.unknown().optional(),
  background: z.boolean().nullable().optional(),
});

export type ResponsesRequest = z.infer<typeof responsesRequestSchema>;

/**
 * The request allows one function call at most (`parallel_tool_calls: false`). NIM is asked for that too, but not
 * every model keeps to it, and a client that runs the one call it expects would leave the others without a
 * `function_call_output`, which its next request is refused for: the calls past the first are left out.
 */
export function allowsOneCall(body: Pick<ResponsesRequest, 'parallel_tool_calls'>): boolean {
  return body.parallel_tool_calls === false;
}

/** What the log says of the calls left out past the one allowed. */
export const EXTRA_CALLS_LEFT_OUT = 'NIM answered more tool calls than parallel_tool_calls: false allows; only the first is kept';
