export { createNimHandlers, createNimMock, type NimMock } from './create-nim-mock.js';
export type { NimMockOptions, NimMockSettings } from './settings.js';
export {
  mergeScenarios,
  type Fault,
  type FaultType,
  type IdStyle,
  type ReasoningMode,
  type Scenario,
  type ScriptedToolCall,
  type StreamShape,
  type Timing,
  type UsageMode,
} from './scenario.js';
export type { EnqueueOptions, MockRoute } from './scenario-control.js';
export { mockDirective } from './directive.js';
export { toolResultReply } from './scripted-tools.js';
export {
  continuationText,
  countTokens,
  expectedCompletion,
  lastUserText,
  reasoningText,
  replyText,
  splitIntoPieces,
  type ChatRequestLike,
  type ExpectedCompletion,
  type ExpectedCompletionOptions,
  type ExpectedToolCall,
  type Usage,
} from './completion-content.js';
export {
  DEFAULT_MODEL_CREATED,
  DEFAULT_MODELS,
  DEFAULT_RETIRED_MODELS,
  modelListBody,
  type MockModel,
  type OpenAIModel,
} from './model-catalog.js';
export { DEFAULT_API_KEY, maskAuthorization } from './auth.js';
export {
  ALWAYS_REJECTED_FIELDS,
  KNOWN_CHAT_FIELDS,
  type ValidationErrorStyle,
} from './request-schema.js';
export { DEFAULT_DISCONNECT_AFTER_CHUNKS } from './chat-handler.js';
export { vectorFor } from './embeddings-handler.js';
export { TOOL_ARGUMENT_PIECE } from './sse-stream.js';
export { MockDisconnectError } from './timed-body.js';
export { RequestRecorder, type RecordedRequest } from './recorder.js';
export type { ProblemDetails } from './problem-details.js';
