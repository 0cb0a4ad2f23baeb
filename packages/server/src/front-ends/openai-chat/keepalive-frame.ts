import { formatSseComment, formatSseData } from '@proxy/core';
import type { KeepaliveFormat } from '../../config/config-schema.js';

export interface KeepaliveFrameInput {
  format: KeepaliveFormat;
  /** The response's model and id, the same as every other frame of the stream carries. */
  model: string;
  id: string;
  /** Unix seconds. */
  created: number;
}

/**
 * The bytes of one keep-alive, built once per stream so a tick does no JSON work. It carries the id and model of
 * the response it is part of, so a client that reads them from whichever frame comes first (the Vercel AI SDK)
 * names the response as the rest of the stream does. The `openai` format is a chunk
 * with an empty delta, which every OpenAI client accepts and adds nothing from; some clients and proxies ignore
 * SSE comments when judging whether a stream is alive, which is why it is the default.
 */
export function buildKeepaliveFrame(input: KeepaliveFrameInput): string {
  if (input.format === 'comment') return formatSseComment('keepalive');
  return formatSseData(
    JSON.stringify({
      id: input.id,
      object: 'chat.completion.chunk',
      created: input.created,
      model: input.model,
      choices: [{ index: 0, delta: {}, finish_reason: null }],
    }),
  );
}
