import { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_TIMEOUT_MS } from '@proxy/core';

/**
 * The least silence a NIM request tolerates, before the response headers and between body chunks. Reasoning models
 * can hold even the headers for minutes, so a shorter configured `timeout` would cut answers that are on their way.
 */
export const NIM_MIN_SILENCE_TIMEOUT_MS = 300_000;

export interface NimTimeoutSettings {
  /** The configured `timeout`; default 120 s. */
  timeoutMs?: number | undefined;
  /** The configured `connect_timeout`; default 30 s. */
  connectTimeoutMs?: number | undefined;
  /** The floor under `timeoutMs`; 300 s unless a test lowers it. */
  minSilenceTimeoutMs?: number | undefined;
}

export interface NimTimeouts {
  /** Bound on establishing a connection. */
  connectMs: number;
  /** Bound on waiting for the response headers and on every gap between body chunks. */
  silenceMs: number;
}

/** `timeout: 900` allows 900 s of silence; `timeout: 2` still allows 300 s. Connecting is bounded on its own. */
export function resolveNimTimeouts(settings: NimTimeoutSettings): NimTimeouts {
  const floor = settings.minSilenceTimeoutMs ?? NIM_MIN_SILENCE_TIMEOUT_MS;
  return {
    connectMs: settings.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    silenceMs: Math.max(settings.timeoutMs ?? DEFAULT_TIMEOUT_MS, floor),
  };
}
