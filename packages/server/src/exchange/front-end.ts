import type { IncomingHttpHeaders } from 'node:http';
import type { ChatCompletionRequest, ChatCompletionResult, ChatStreamRead, ProxyError, TokenUsage } from '@proxy/core';

/**
 * A client API the proxy speaks (OpenAI chat, Anthropic Messages, OpenAI Responses), as the exchange sees it.
 *
 * The exchange (route, retry before commit, commit on silence, relay, record once) is written once and knows no
 * dialect; a front end is only what differs between dialects: its schema, its translation to and from chat
 * completions, its stream encoder, its error shape and where it reads the client's key. Everything here is
 * synchronous and pure except the encoder's own state, so a front end is tested without a server.
 */
export interface FrontEnd<Body = unknown> {
  /** The label of its requests in the log line and the metrics, e.g. `openai_chat`. */
  readonly name: string;
  /** Validates the client's JSON body (one zod schema); throws an InvalidRequestError naming the field. */
  parse(body: unknown): Body;
  /** The model id the client asked for (routed as `backend:model`) and whether it asked for a stream. */
  describe(body: Body): { model: string; stream: boolean };
  /** The chat completions request sent upstream. May reuse `body` when the dialect is chat itself. */
  toChatRequest(body: Body, context: ExchangeContext): ChatCompletionRequest;
  /** A non-streamed answer in the client's dialect: the bytes to send (chat sends the upstream's unchanged). */
  fromChatCompletion(result: ChatCompletionResult, body: Body, context: ExchangeContext): JsonAnswer;
  /** A fresh encoder for one streamed answer. */
  createStreamEncoder(body: Body, context: ExchangeContext): StreamEncoder;
  /** An error before anything was sent, as the dialect answers it. */
  renderError(error: ProxyError): RenderedError;
  /** The proxy key the client presented (or the keys, where the dialect has two places for one), or undefined when it sent none. */
  readApiKey(headers: IncomingHttpHeaders): string | readonly string[] | undefined;
  /** How a missing key is explained, e.g. "send it as 'Authorization: Bearer <key>'". */
  readonly apiKeyHint: string;
}

/** A non-streamed answer, as a front end made it from the upstream's. */
export interface JsonAnswer {
  /** The bytes to send. */
  readonly text: string;
  /**
   * The usage to account when the upstream reported none: the estimate the answer itself gives the client, as
   * the front end's stream encoder would have made it; undefined when the upstream reported usage or the front
   * end estimates none.
   */
  readonly estimatedUsage?: TokenUsage | undefined;
}

/** What the exchange knows of one request when it asks a front end to translate. */
export interface ExchangeContext {
  /** The request's id (the client's `x-request-id` or the proxy's own). */
  readonly requestId: string;
  /** The model id the client sent, before routing. */
  readonly clientModel: string;
  /** The routed backend's name and the model id sent to it. */
  readonly backend: string;
  readonly upstreamModel: string;
  /** The configured limits and switches of the upstream model (`model_settings`); empty when none apply. */
  readonly modelSettings: ModelSettings;
  /** When the exchange started, in Unix seconds (a stream's `created`). */
  readonly created: number;
  /** Writes a line at `warn`/`debug` in the request's log (e.g. a tool NIM cannot run, dropped once). */
  readonly log: { warn(fields: Record<string, unknown>, message: string): void; debug(fields: Record<string, unknown>, message: string): void };
}

/** Per upstream model configuration a translating front end honours. */
export interface ModelSettings {
  /** The largest `max_tokens` the model takes; a client asking for more is capped to it, one asking for none gets it. */
  readonly maxTokens?: number | undefined;
  /** Fields merged into the chat request when the client asks for reasoning (e.g. `chat_template_kwargs`). */
  readonly reasoningOn?: Readonly<Record<string, unknown>> | undefined;
  /** Fields merged when the client asks for none. */
  readonly reasoningOff?: Readonly<Record<string, unknown>> | undefined;
  /** The model needs its earlier reasoning sent back (`reasoning_content`) on the assistant turns of a tool loop. */
  readonly replayReasoning?: boolean | undefined;
  /**
   * The client's reasoning effort goes to the model as OpenAI chat's `reasoning_effort` (`low`, `medium`, `high`),
   * which gpt-oss models read. Unset: on for a model whose id names gpt-oss.
   */
  readonly reasoningEffort?: boolean | undefined;
  /**
   * `minimax`: the model may write its tool calls into its text as MiniMax's markup, which the front ends turn into
   * tool calls; `none`: its text is left as it is. Unset: `minimax` for a model whose id names MiniMax.
   */
  readonly toolMarkup?: 'minimax' | 'none' | undefined;
}

/** An error rendered in a dialect: its status (a dialect may map statuses), headers and JSON body. */
export interface RenderedError {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>> | undefined;
  readonly body: unknown;
}

/**
 * Turns one upstream chat stream into the client's dialect. The exchange calls `start` once when the client's
 * headers are committed, `read` for each upstream read, `keepalive` while the upstream is silent, and then
 * exactly one of `end` (the upstream finished) or `error` (it failed after the stream started). Each returns the
 * bytes to write, '' for none.
 */
export interface StreamEncoder {
  start(): string;
  read(read: ChatStreamRead): string | Uint8Array;
  keepalive(): string;
  end(): string | Uint8Array;
  error(error: ProxyError): string;
  /** The usage to account when the upstream reported none (an estimate), else undefined. */
  readonly estimatedUsage?: TokenUsage | undefined;
  /**
   * Set when a read ended the stream on an error the upstream reported inside it (the encoder wrote its error
   * frame then): the exchange records the request as failed with it.
   */
  readonly failure?: ProxyError | undefined;
}
