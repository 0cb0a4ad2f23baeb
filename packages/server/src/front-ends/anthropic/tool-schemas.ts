import { parameterSchemas, type ParameterSchemas } from '../tool-markup/parse-minimax-calls.js';
import type { MessagesRequest } from './messages-schema.js';

/** The parameter schemas of the request's tools by name: the chat tools keep the client's names. */
export function anthropicToolSchemas(body: MessagesRequest): ParameterSchemas {
  return parameterSchemas(() => (body.tools ?? []).map((tool) => ({ name: tool.name, schema: 'input_schema' in tool ? tool.input_schema : undefined })));
}

/** Whether the request offers the model tools it may call (some, and `tool_choice` is not `none`). */
export function offersAnthropicTools(body: MessagesRequest): boolean {
  return (body.tools ?? []).length > 0 && body.tool_choice?.type !== 'none';
}
