import type { Dispatcher } from 'undici';
import type { CancelSignal } from './cancellation.js';
import type { ChatCompletion, ChatCompletionRequest, ModelList } from './schemas/index.js';
import type { SseEvent } from './sse/sse-event.js';
import type { TokenUsage } from './usage/token-usage.js';

export interface CallOptions {
  /** Fires when the client goes away: the upstream request is cancelled at once. */
  signal?: CancelSignal | undefined;
}

/** A non-streaming completion: the upstream bytes (forwarded as they are) and what the proxy reads from them. */
export interface ChatCompletionResult {
  /** The upstream JSON text, unchanged, so the server can forward it without re-serialising. */
  rawBody: string;
  /** The same body, parsed. */
  body: ChatCompletion;
  /** Normalised from `body.usage`; undefined when the upstream reported none. */
  usage: TokenUsage | undefined;
}

/** One streamed event as it came from upstream, with what accounting needs already read out of it. */
export interface ChatStreamEvent extends SseEvent {
  /** True for the `[DONE]` sentinel; it is always the last event. */
  done: boolean;
  /** Usage this event reported, if any. */
  usage?: TokenUsage | undefined;
  /** The event carries usage and no choices (an `include_usage` frame): forward it only to clients that asked. */
  usageOnly?: boolean | undefined;
}

/**
 * A streaming completion whose upstream has answered 200. Iterate it once; stopping early (break/return) or the
 * call's signal cancels the upstream request. Failures mid-stream are thrown as ProxyErrors.
 */
export interface ChatCompletionStream extends AsyncIterable<ChatStreamEvent> {
  /** The stream's usage so far: the largest report seen (see StreamUsageTracker). */
  readonly usage: TokenUsage | undefined;
  /** Stops reading and releases the upstream connection. Safe to call more than once. */
  cancel(): void;
  /**
   * The same events grouped as they arrived, one array per upstream read, so a relay can forward them with one
   * write instead of one per event. Optional; use it or the iterator, not both.
   */
  batches?(): AsyncIterable<readonly ChatStreamEvent[]>;
  /**
   * The fast way to relay (optional; use it, the iterator or batches(), not more than one). Calls `write` with
   * client-ready SSE bytes for each upstream read: frames as received when they need no change, re-framed as
   * `data:` events otherwise, usage-only frames dropped unless `includeUsage`, never `[DONE]` or what follows it.
   * `write` returning false pauses the upstream until `resume()`. Resolves with the bytes of the last read's events
   * before `[DONE]` (to send together with the proxy's own `[DONE]`) when `[DONE]` arrives or the body ends; rejects
   * with a ProxyError.
   */
  forward?(write: (chunk: string | Uint8Array) => boolean, options: ForwardOptions): Promise<string | Uint8Array>;
  /** Reading continues after `write` returned false. */
  resume?(): void;
}

export interface ForwardOptions {
  /** The client asked for `stream_options.include_usage`: keep usage-only frames. */
  includeUsage: boolean;
}

/** A backend the proxy can route to. */
export interface Connector {
  /** The backend's configured name, e.g. `nvidia`. */
  readonly name: string;
  /** The backend type, e.g. `nvidia` or `openai`. */
  readonly type: string;
  /** Fills the model catalog (static list or `GET /models`). Failing leaves the catalog empty and throws. */
  initialize(options?: CallOptions): Promise<void>;
  /** `GET {api_base}/models`, uncached. */
  listModels(options?: CallOptions): Promise<ModelList>;
  /** The catalog's model ids as of the last initialize. */
  getAvailableModels(): readonly string[];
  /** Resolves with the upstream JSON; rejects with a ProxyError. */
  chatCompletion(request: ChatCompletionRequest, options?: CallOptions): Promise<ChatCompletionResult>;
  /** Resolves once the upstream answered 200 (rejects with its real status otherwise), then streams. */
  streamChatCompletion(request: ChatCompletionRequest, options?: CallOptions): Promise<ChatCompletionStream>;
  /** Cheap reachability probe; rejects with a ProxyError when the upstream cannot serve. */
  healthCheck?(options?: CallOptions): Promise<void>;
  /** Closes the connections the connector owns. */
  close(): Promise<void>;
}

/** A backend's configuration as the server hands it to a factory (YAML `backends.<name>`, merged with env/CLI). */
export interface BackendConfig {
  /** The name clients use as the `backend:` prefix. */
  name: string;
  type: string;
  api_url?: string | undefined;
  api_key?: string | undefined;
  /** Seconds. */
  timeout?: number | undefined;
  models?: readonly string[] | undefined;
  [key: string]: unknown;
}

export interface BackendContext {
  /** The environment to read fallbacks such as `NVIDIA_API_KEY` from. */
  env: Readonly<Record<string, string | undefined>>;
  /** An undici dispatcher to use instead of the connector's own (tests, shared pools). */
  dispatcher?: Dispatcher | undefined;
}

/** Registers a backend `type`: how to build its connector from configuration. */
export interface BackendDefinition {
  readonly type: string;
  create(config: BackendConfig, context: BackendContext): Connector;
}
