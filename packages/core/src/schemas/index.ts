export { chatCompletionRequestSchema, type ChatCompletionRequest, type ChatMessage } from './chat-request.js';
export {
  chatCompletionChunkSchema,
  chatCompletionSchema,
  type ChatCompletion,
  type ChatCompletionChunk,
} from './chat-response.js';
export { formatIssuePath, formatZodError } from './format-zod-issue.js';
export { modelListSchema, modelSchema, type Model, type ModelList } from './model-list.js';
export { parseChatCompletionRequest } from './parse-chat-request.js';
export { usageSchema, type Usage } from './usage.js';
export { base64EmbeddingsText, embeddingsRequestSchema, isEmbeddingsList, parseEmbeddingsRequest, type EmbeddingsRequest } from './embeddings-request.js';
