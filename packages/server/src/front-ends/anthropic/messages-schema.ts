import { z } from 'zod';

// One schema for `/v1/messages` and `/v1/messages/count_tokens`. Checked: what the translation reads (wrong types
// and unknown roles or block types are a 400 naming the field, before NIM is called). Loose objects: every other
// field Anthropic's API knows (`metadata`, `context_management`, `output_config`, `service_tier`, `cache_control`,
// `citations`, …) is accepted and never sent upstream, since the translation builds the chat request field by field.

const textBlock = z.looseObject({ type: z.literal('text'), text: z.string() });

const imageBlock = z.looseObject({
  type: z.literal('image'),
  source: z.discriminatedUnion('type', [
    z.looseObject({ type: z.literal('base64'), media_type: z.string().min(1), data: z.string().min(1) }),
    z.looseObject({ type: z.literal('url'), url: z.string().min(1) }),
  ]),
});

const toolUseBlock = z.looseObject({
  type: z.literal('tool_use'),
  id: z.string().min(1),
  name: z.string().min(1),
  input: z.unknown(),
});

/** A document: plain-text sources become text; a PDF or other file NIM's chat API cannot take is left out. */
const documentBlock = z.looseObject({
  type: z.literal('document'),
  source: z.looseObject({ type: z.string(), data: z.unknown().optional() }),
  title: z.string().nullable().optional(),
});

/** What Claude Code's ToolSearch answers: a deferred tool, by name, that the model may call from now on. */
const toolReferenceBlock = z.looseObject({ type: z.literal('tool_reference'), tool_name: z.string().min(1) });

const toolResultBlock = z.looseObject({
  type: z.literal('tool_result'),
  tool_use_id: z.string().min(1),
  content: z.union([z.string(), z.array(z.discriminatedUnion('type', [textBlock, imageBlock, documentBlock, toolReferenceBlock]))]).optional(),
  is_error: z.boolean().optional(),
});

const thinkingBlock = z.looseObject({ type: z.literal('thinking'), thinking: z.string(), signature: z.string().optional() });
const redactedThinkingBlock = z.looseObject({ type: z.literal('redacted_thinking'), data: z.string() });

/**
 * Blocks of Anthropic's own server tools (web search, code execution, MCP connectors…): they ran at Anthropic,
 * not here, so a conversation carried over from there keeps them and the translation leaves them out.
 */
export const SERVER_BLOCK_TYPES = [
  'server_tool_use',
  'web_search_tool_result',
  'web_fetch_tool_result',
  'code_execution_tool_result',
  'bash_code_execution_tool_result',
  'text_editor_code_execution_tool_result',
  'tool_search_tool_result',
  'mcp_tool_use',
  'mcp_tool_result',
  'container_upload',
  'search_result',
] as const;
const serverBlock = z.looseObject({ type: z.enum(SERVER_BLOCK_TYPES) });

const contentBlock = z.discriminatedUnion('type', [
  textBlock,
  imageBlock,
  toolUseBlock,
  toolResultBlock,
  thinkingBlock,
  redactedThinkingBlock,
  documentBlock,
  serverBlock,
]);

const messageSchema = z.looseObject({
  // `system` entries inside the conversation: Claude Code >= 2.1.154 sends them; the translation folds them.
  role: z.enum(['user', 'assistant', 'system']),
  content: z.union([z.string(), z.array(contentBlock)]),
});

const toolSchema = z
  .looseObject({
    name: z.string().min(1),
    type: z.string().nullable().optional(),
    description: z.string().optional(),
    input_schema: z.looseObject({}).optional(),
  })
  .refine((tool) => !isCustomTool(tool) || tool.input_schema !== undefined, {
    error: 'a custom tool needs an input_schema',
    path: ['input_schema'],
  });

const toolChoiceSchema = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('auto'), disable_parallel_tool_use: z.boolean().optional() }),
  z.looseObject({ type: z.literal('any'), disable_parallel_tool_use: z.boolean().optional() }),
  z.looseObject({ type: z.literal('tool'), name: z.string().min(1), disable_parallel_tool_use: z.boolean().optional() }),
  z.looseObject({ type: z.literal('none') }),
]);

const countTokensShape = {
  model: z.string().min(1, 'must be a non-empty string'),
  messages: z.array(messageSchema).min(1, 'must contain at least one message'),
  system: z.union([z.string(), z.array(textBlock)]).optional(),
  tools: z.array(toolSchema).optional(),
  tool_choice: toolChoiceSchema.optional(),
  thinking: z.looseObject({ type: z.enum(['enabled', 'disabled', 'adaptive']) }).optional(),
};

/** Anthropic's structured output: the answer's text is JSON of this schema (`output_config.format`). */
const outputFormatSchema = z.looseObject({ type: z.literal('json_schema'), schema: z.looseObject({}) }).nullable().optional();

/** `POST /v1/messages/count_tokens`: the Messages body without `max_tokens`. */
export const countTokensRequestSchema = z.looseObject(countTokensShape).superRefine(checkToolResults);

/** `POST /v1/messages`. `max_tokens` is required, as in Anthropic's API. */
export const messagesRequestSchema = z
  .looseObject({
    ...countTokensShape,
    max_tokens: z.number({ error: 'is required: a positive whole number of tokens' }).int().positive(),
    stream: z.boolean().optional(),
    stop_sequences: z.array(z.string()).optional(),
    temperature: z.number().min(0).optional(),
    top_p: z.number().min(0).max(1).optional(),
    top_k: z.number().int().nonnegative().optional(),
    // `effort` as text: a level Anthropic adds later reaches the model's default instead of a 400.
    output_config: z.looseObject({ format: outputFormatSchema, effort: z.string().nullable().optional() }).nullable().optional(),
    /** The structured-outputs beta's name for `output_config.format`. */
    output_format: outputFormatSchema,
  })
  .superRefine(checkToolResults);

export type MessagesRequest = z.infer<typeof messagesRequestSchema>;
export type CountTokensRequest = z.infer<typeof countTokensRequestSchema>;
export type AnthropicMessage = MessagesRequest['messages'][number];
export type ContentBlock = z.infer<typeof contentBlock>;
export type AnthropicTool = NonNullable<MessagesRequest['tools']>[number];

/** A tool the client runs itself (no `type`, or `custom`); any other type is one of Anthropic's server tools. */
export function isCustomTool(tool: { type?: string | null | undefined }): boolean {
  return tool.type === undefined || tool.type === null || tool.type === 'custom';
}

/**
 * The request allows one `tool_use` at most (`tool_choice.disable_parallel_tool_use`). NIM is asked for that
 * (`parallel_tool_calls: false`), but not every model keeps to it, and a client that runs the one call it expects
 * would leave the others without a `tool_result`, which the next request is refused for.
 */
export function allowsOneToolUse(body: Pick<MessagesRequest, 'tool_choice'>): boolean {
  const choice = body.tool_choice;
  return choice !== undefined && 'disable_parallel_tool_use' in choice && choice.disable_parallel_tool_use === true;
}

/** What the log says of the calls left out past the one allowed. */
export const EXTRA_TOOL_CALLS_LEFT_OUT = 'NIM answered more tool calls than disable_parallel_tool_use allows; only the first is kept';

/** Anthropic's own words for a prefill that ends in whitespace (its models would continue after a space). */
export const PREFILL_TRAILING_WHITESPACE = 'messages: final assistant content cannot end with trailing whitespace';

/**
 * The text of a "prefill": a conversation that ends with an assistant message holding text and no `tool_use`, which
 * the model is to continue (`{"role":"assistant","content":"{"}` forces JSON). Undefined for any other conversation:
 * a final assistant message with `tool_use` (or with no text at all) is not a prefill.
 */
export function prefillText(messages: readonly AnthropicMessage[]): string | undefined {
  const last = messages.at(-1);
  if (last?.role !== 'assistant') return undefined;
  if (typeof last.content === 'string') return last.content.length > 0 ? last.content : undefined;
  let text = '';
  for (const block of last.content) {
    if (block.type === 'tool_use') return undefined;
    if (block.type === 'text') text += block.text;
  }
  return text.length > 0 ? text : undefined;
}

/**
 * Every `tool_result` answers a `tool_use` of the assistant turn just before it: NIM's templates reject an
 * orphan tool message with an error that names neither the message nor the id, so the proxy names both.
 */
function checkToolResults(body: { messages: readonly AnthropicMessage[] }, context: z.RefinementCtx): void {
  let offered: Set<string> | undefined;
  body.messages.forEach((message, m) => {
    if (message.role === 'system') return;
    if (message.role === 'assistant') {
      offered = new Set();
      if (Array.isArray(message.content)) for (const block of message.content) if (block.type === 'tool_use') offered.add(block.id);
      return;
    }
    if (Array.isArray(message.content)) {
      message.content.forEach((block, b) => {
        if (block.type === 'tool_result' && !offered?.has(block.tool_use_id)) {
          context.addIssue({
            code: 'custom',
            path: ['messages', m, 'content', b, 'tool_use_id'],
            message: `no tool_use with id '${block.tool_use_id}' in the assistant message before it`,
          });
        }
      });
    }
    offered = undefined;
  });
}
