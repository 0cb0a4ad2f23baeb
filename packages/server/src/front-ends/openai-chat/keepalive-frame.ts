import { formatSseComment, formatSseData } from '@proxy/core';
import type { KeepaliveFormat } from '../../config/config-schema.js';

export interface KeepaliveFrameInput {
  format: KeepaliveFormat;
  /** The model id the client asked for, so the frame looks like the rest of its stream. */
  model: string;
  /** Unique per stream. */
  id: string;
  /** Unix seconds. */
  created: number;
}

/**
 * The bytes of one keep-alive, built once per stream so a tick does no JSON work. The `openai` format is a chunk
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
