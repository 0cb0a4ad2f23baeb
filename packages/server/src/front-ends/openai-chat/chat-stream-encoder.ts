import { formatSseData, SSE_DONE, type ChatStreamRead, type ProxyError } from '@proxy/core';
import type { StreamEncoder } from '../../exchange/front-end.js';

const SSE_DONE_BYTES = Buffer.from(SSE_DONE);

/**
 * Chat to chat: the upstream's bytes go to the client as they came (no JSON work), usage-only frames only to a
 * client that asked for `include_usage`, `[DONE]` last on success. A failure becomes an OpenAI error event
 * (`data: {"error":{…}}`), which the openai SDK throws as an APIError; no `[DONE]` follows it, so no client can
 * take a failed completion for a finished one.
 */
export class ChatStreamEncoder implements StreamEncoder {
  readonly #includeUsage: boolean;
  readonly #keepalive: () => string;
  #keepaliveFrame: string | undefined;

  /** `keepalive` builds the keep-alive frame; most streams never need one, so it is built on first use. */
  constructor(includeUsage: boolean, keepalive: () => string) {
    this.#includeUsage = includeUsage;
    this.#keepalive = keepalive;
  }

  start(): string {
    return '';
  }

  read(read: ChatStreamRead): string | Uint8Array {
    return this.#includeUsage ? read.bytes : read.withoutUsageOnly();
  }

  keepalive(): string {
    return (this.#keepaliveFrame ??= this.#keepalive());
  }

  end(): Uint8Array {
    return SSE_DONE_BYTES;
  }

  error(error: ProxyError): string {
    return formatSseData(JSON.stringify(error.toBody()));
  }
}
