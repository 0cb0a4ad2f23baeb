import type { ProxyError, TokenUsage } from '@proxy/core';

/** What a request did, filled in as it goes and read once when it completes. */
export interface RequestOutcome {
  /** The name of the proxy key the request presented (`auth.api_keys: [{ name, key }]`); never the key. */
  keyName?: string;
  /** The client API the request came in by (`openai_chat`, …), once an exchange took it. */
  frontEnd?: string;
  /** Set once routed: the backend name and the upstream model id. */
  backend?: string;
  model?: string;
  /**
   * The model as a metric label: the model itself when the backend's catalog or configuration knows it, else
   * `other`, so made-up model names cannot grow the metrics without bound.
   */
  modelLabel?: string;
  stream?: boolean;
  usage?: TokenUsage | undefined;
  /** The error the client was answered with (or sent as a stream error event). */
  error?: ProxyError;
  /**
   * Filled in by the connector (KeyUseReport): the index of the upstream key used, the ms queued for a slot, and
   * the upstream attempts made (the server's retries included).
   */
  keyIndex?: number | undefined;
  queuedMs?: number | undefined;
  attempts?: number | undefined;
  /** The server's retries of the upstream call. */
  retries?: number;
  /** Filled in by the connector (UpstreamTrace): the upstream's id for the call (NVIDIA's `nvcf-reqid`). */
  upstreamRequestId?: { readonly header: string; readonly value: string } | undefined;
  /** The request was counted already (an aborted stream is counted when it aborts, not by onResponse). */
  recorded?: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Null until a handler has something to report. */
    outcome: RequestOutcome | null;
  }
}

/** The request's outcome record, created on first use. */
export function outcomeOf(request: { outcome: RequestOutcome | null }): RequestOutcome {
  return (request.outcome ??= {});
}
