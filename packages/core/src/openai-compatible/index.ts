export { openaiBackend } from './openai-backend.js';
export { OpenAICompatibleConnector, type UpstreamJson, type UpstreamOperation } from './openai-compatible-connector.js';
export { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_TIMEOUT_MS, DEFAULT_UPSTREAM_BODY_LIMIT, type OpenAICompatibleSettings } from './settings.js';
export { UpstreamChatStream } from './upstream-chat-stream.js';
export { ChatSseReader } from './chat-sse-reader.js';
export { ChatSseRead } from './chat-stream-read.js';
export { readUsage, type UsageReading } from './read-chat-event.js';
export { upstreamStreamError } from './upstream-stream-error.js';
