import { chunkedResponse } from './chunked-response.js';
import type { Fault, Timing } from './scenario.js';

export interface JsonBodyInit {
  timing: Timing | undefined;
  fault: Fault | undefined;
  signal: AbortSignal;
  headers?: Record<string, string>;
}

const byteLength = (text: string): number => new TextEncoder().encode(text).length;

/**
 * A 200 JSON answer with `content-length`. `malformed-json` sends only the first half (complete per its
 * length, but not JSON); `disconnect` announces the whole length, sends the first half and drops.
 */
export function jsonBodyResponse(text: string, init: JsonBodyInit): Response {
  const half = text.slice(0, Math.floor(text.length / 2));
  const malformed = init.fault?.type === 'malformed-json';
  const disconnect = init.fault?.type === 'disconnect';
  const sent = malformed ? half : text;
  return chunkedResponse(disconnect ? [half, text.slice(half.length)] : [sent], {
    status: 200,
    headers: { 'content-type': 'application/json', 'content-length': String(byteLength(sent)), ...init.headers },
    timing: init.timing,
    disconnectAfter: disconnect ? 1 : undefined,
    signal: init.signal,
  });
}
