import { parameterSchemas, type ParameterSchemas } from '../tool-markup/parse-minimax-calls.js';
import type { MessagesRequest } from './messages-schema.js';

/** The parameter schemas of the request's tools by name: the chat tools keep the client's names. */
export function anthropicToolSchemas(body: MessagesRequest): ParameterSchemas {
  return parameterSchemas(() => (body.tools ?? []).map((tool) => ({ name: tool.name, schema: 'input_schema' in tool ? tool.input_schema : undefined })));
}
