import type { Dispatcher } from 'undici';
import type { z } from 'zod';
import type { BackendSettings } from './backend-settings.js';
import type { CancelSignal } from './cancellation.js';
import type { CreateKeyLimiter } from './limits/key-limiter.js';
import type { ChatCompletion, ChatCompletionRequest, EmbeddingsRequest, ModelList } from './schemas/index.js';
import type { TokenUsage } from './usage/token-usage.js';

export interface CallOptions {
  /** Fires when the client goes away: the upstream request is cancelled at once. */
  signal?: CancelSignal | undefined;
  /** Filled in by the connector: which key of its pool served the call and how long it queued for a slot. */
  report?: KeyUseReport | undefined;
  /** The proxy's id for the request (the client's `x-request-id` or its own): sent upstream as `x-request-id`. */
  requestId?: string | undefined;
  /** Filled in by the connector: the upstream's own id for the call (NVIDIA's `nvcf-reqid`), errors included. */
  trace?: UpstreamTrace | undefined;
  /** The request's log, for what a connector adapts on the way (a field the upstream rejected, dropped). */
  log?: CallLog | undefined;
}

/** What identifies a call at the upstream, for its support: the header it came in and the value, as sent. */
export interface UpstreamTrace {
  /** From the response of the call's last attempt; only ids that are short and plain (`[\w.:-]{1,128}`). */
  upstreamRequestId?: { readonly header: string; readonly value: string } | undefined;
}

/** The subset of a pino logger a connector writes to. */
export interface CallLog {
  warn(fields: Record<string, unknown>, message: string): void;
  debug(fields: Record<string, unknown>, message: string): void;
}

/** Written by a connector with a key pool; the server puts it on the request's log line. */
export interface KeyUseReport {
  /** The index of the key of the last upstream attempt. */
  keyIndex?: number | undefined;
  /** Milliseconds spent waiting for slots, summed over the call's attempts. */
  queuedMs?: number | undefined;
  /** Upstream attempts made for the request, the server's retries included (a report outlives one call). */
  attempts?: number | undefined;
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

/**
 * One event of an upstream chat stream (one `chat.completion.chunk`, or a usage report). Its text and JSON are
 * read on first use: a relay that forwards bytes never pays for them.
 */
export interface ChatStreamEvent {
  /** The event's `data` text. */
  readonly data: string;
  /** `data` parsed as JSON; undefined when it is not JSON. */
  readonly json: unknown;
  /** The usage this event reports, if any. */
  readonly usage: TokenUsage | undefined;
  /** The event carries usage and no choices (an `include_usage` frame): for clients that asked for it only. */
  readonly usageOnly: boolean;
}

/**
 * The events one upstream read completed. `bytes` are those events as client-ready OpenAI SSE (`data: …` lines and
 * blank lines only): the upstream's own bytes when they needed no change, so a same-dialect relay writes them
 * untouched; a translating relay reads `events`. Never holds `[DONE]` or anything after it.
 */
export interface ChatStreamRead {
  readonly bytes: string | Uint8Array;
  /** `bytes` less usage-only frames, for a client that did not ask for `include_usage`. */
  withoutUsageOnly(): string | Uint8Array;
  /** The same events, parsed. */
  readonly events: readonly ChatStreamEvent[];
}

/**
 * A streaming completion whose upstream has answered 200: iterate it once, one item per upstream read. The
 * `[DONE]` and usage rules live here, once: iteration ends at `[DONE]` (or when the body ends), usage-only frames
 * are marked, usage is tracked. A slow consumer pauses the upstream; stopping early (break/return), `cancel()` or
 * the call's signal releases it. Failures mid-stream are thrown as ProxyErrors.
 */
export interface ChatCompletionStream extends AsyncIterable<ChatStreamRead> {
  /** The stream's usage so far: the largest report seen (see StreamUsageTracker). */
  readonly usage: TokenUsage | undefined;
  /** The upstream ended its stream with `[DONE]` (false while it streams, and when its body just stopped). */
  readonly sawDone: boolean;
  /** Stops reading and releases the upstream connection. Safe to call more than once. */
  cancel(): void;
}

/** An embeddings answer: the upstream's JSON text as it came, and its token count. */
export interface EmbeddingsResult {
  rawBody: string;
  /** From the answer's `usage` (prompt tokens only); undefined when the upstream reported none. */
  usage: TokenUsage | undefined;
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
  /**
   * Resolves once the upstream answered 200 and its first read came and looked right: an event stream whose first
   * event is not an error. Rejects with the real status otherwise (an error event's own, 502 for a body that is no
   * event stream). Then streams. While it is pending nothing has reached the client, so it may be retried.
   */
  streamChatCompletion(request: ChatCompletionRequest, options?: CallOptions): Promise<ChatCompletionStream>;
  /** Embeds `request.input` (`POST /embeddings`); absent on a backend that serves no embeddings. */
  createEmbeddings?(request: EmbeddingsRequest, options?: CallOptions): Promise<EmbeddingsResult>;
  /** Cheap reachability probe; rejects with a ProxyError when the upstream cannot serve. */
  healthCheck?(options?: CallOptions): Promise<void>;
  /** Closes the connections the connector owns. */
  close(): Promise<void>;
}

/**
 * A backend's configuration as the server hands it to a factory: `backends.<name>` (YAML merged with env/CLI) once
 * its type's `settings` schema accepted it, with the backend's name and its type (the name when unset).
 */
export type BackendConfig<Settings extends object = BackendSettings> = Omit<Settings, 'name' | 'type'> & {
  /** The name clients use as the `backend:` prefix. */
  name: string;
  type: string;
};

export interface BackendContext {
  /** The environment to read fallbacks such as `NVIDIA_API_KEY` from. */
  env: Readonly<Record<string, string | undefined>>;
  /** An undici dispatcher to use instead of the connector's own (tests, shared pools). */
  dispatcher?: Dispatcher | undefined;
  /**
   * Builds the limiter of a backend's key pool (pacing, queue, rests; in memory or shared through Redis). Unset
   * (core used without the server): keys in turn, nothing paced.
   */
  createKeyLimiter?: CreateKeyLimiter | undefined;
  /** The server's `upstream_body_limit`: the largest JSON answer a connector reads, in bytes. */
  upstreamBodyLimit?: number | undefined;
}

/**
 * Registers a backend `type`: which settings it takes and how to build its connector from them. The schema is the
 * definition's own, so each type declares exactly the keys it reads; the server runs it at start-up on the keys of
 * `backends.<name>` other than `type` (which it has read to pick this definition), and an unknown key or a wrong
 * value stops start-up naming the key. Extend `backendSettingsSchema` for the common keys, `.loose()` it to take
 * keys the schema does not list.
 */
export interface BackendDefinition<Settings extends object = BackendSettings> {
  readonly type: string;
  readonly settings: z.ZodType<Settings>;
  create(config: BackendConfig<Settings>, context: BackendContext): Connector;
}
