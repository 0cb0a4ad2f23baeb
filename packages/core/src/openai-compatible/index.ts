export { openaiBackend } from './openai-backend.js';
export { OpenAICompatibleConnector } from './openai-compatible-connector.js';
export { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_TIMEOUT_MS, type OpenAICompatibleSettings } from './settings.js';
export { UpstreamChatStream } from './upstream-chat-stream.js';
export { ChatSseReframer } from './chat-sse-reframer.js';
export { readChatEvent, readUsage, type UsageReading } from './read-chat-event.js';
