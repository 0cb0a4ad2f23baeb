export type {
  BackendConfig,
  BackendContext,
  BackendDefinition,
  CallLog,
  CallOptions,
  ChatCompletionResult,
  ChatCompletionStream,
  ChatStreamEvent,
  Connector,
  KeyUseReport,
  ChatStreamRead,
  EmbeddingsResult,
  UpstreamTrace,
} from './connector.js';
export { backendSettingsSchema, DEFAULT_MAX_WAIT_MS, MAX_TIMER_MESSAGE, MAX_TIMER_SECONDS, secondsToMs, toRateLimit, type BackendSettings } from './backend-settings.js';
export * from './limits/index.js';
export { Cancellation, type CancelSignal } from './cancellation.js';
export { isRecord } from './is-record.js';
export * from './errors/index.js';
export * from './http/index.js';
export * from './openai-compatible/index.js';
export * from './schemas/index.js';
export { SecretScrubber } from './secrets/secret-scrubber.js';
export * from './sse/index.js';
export * from './usage/index.js';
export { CORE_VERSION } from './version.js';
