import type { OutgoingHttpHeader, OutgoingHttpHeaders, ServerResponse } from 'node:http';

/** No caching, and no buffering by nginx (`x-accel-buffering`), or keep-alives would sit in a proxy's buffer. */
const SSE_HEADERS: OutgoingHttpHeaders = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  'x-accel-buffering': 'no',
};

/** The release of a response that holds nothing (or whose socket cannot be corked). */
export const NOTHING_HELD = (): void => undefined;

/**
 * Commits 200 and the stream headers now, before the first event: from here on failures travel as error events.
 * Nagle is already off: Node's HTTP server sets `noDelay` on every connection by default. `headers` (the reply's,
 * from Fastify's `getHeaders()`, a fresh object) is taken over and extended with the stream headers.
 *
 * The headers are held (the socket corked) so that they leave in the same write as the first events. Returns
 * `release`, which sends what is held at once: the relay calls it after its first write. Without it they leave at
 * the end of this turn of the event loop, so they are never held while the upstream is silent.
 */
export function commitSseHeaders(response: ServerResponse, headers: Record<string, OutgoingHttpHeader | undefined>): () => void {
  // Injected requests (light-my-request) have a socket stand-in without cork.
  const socket = response.socket;
  let release = NOTHING_HELD;
  if (typeof socket?.cork === 'function') {
    socket.cork();
    let held = true;
    const uncork = () => {
      held = false;
      socket.uncork();
    };
    // Under load a turn of the loop handles many requests: a response held to its end waited for all of them.
    const immediate = setImmediate(uncork);
    release = () => {
      if (!held) return;
      clearImmediate(immediate);
      uncork();
    };
  }
  // One object, no setHeader() calls: with no headers set on the response yet, Node writes these directly. Extended
  // in place: it is already the reply's own fresh copy, so a second one would only be garbage.
  response.writeHead(200, Object.assign(headers, SSE_HEADERS));
  response.flushHeaders();
  return release;
}
