export type {
  BackendConfig,
  BackendContext,
  BackendDefinition,
  CallOptions,
  ChatCompletionResult,
  ChatCompletionStream,
  ChatStreamEvent,
  Connector,
  ChatStreamRead,
} from './connector.js';
export { backendSettingsSchema, secondsToMs, type BackendSettings } from './backend-settings.js';
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
