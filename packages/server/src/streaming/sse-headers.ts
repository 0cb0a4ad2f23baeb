import type { OutgoingHttpHeader, OutgoingHttpHeaders, ServerResponse } from 'node:http';

/** No caching, and no buffering by nginx (`x-accel-buffering`), or keep-alives would sit in a proxy's buffer. */
const SSE_HEADERS: OutgoingHttpHeaders = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  'x-accel-buffering': 'no',
};

/**
 * Commits 200 and the stream headers now, before the first event: from here on failures travel as error events.
 * Nagle is already off: Node's HTTP server sets `noDelay` on every connection by default. `headers` (the reply's,
 * from Fastify's `getHeaders()`, a fresh object) is taken over and extended with the stream headers.
 */
export function commitSseHeaders(response: ServerResponse, headers: Record<string, OutgoingHttpHeader | undefined>): void {
  // Held until the end of this turn of the event loop, so the headers leave in the same write (one syscall) as the
  // events the upstream has already sent (often the whole stream), and still go out at once when it has not.
  // Injected requests (light-my-request) have a socket stand-in without cork.
  const socket = response.socket;
  if (typeof socket?.cork === 'function') {
    socket.cork();
    setImmediate(() => socket.uncork());
  }
  // One object, no setHeader() calls: with no headers set on the response yet, Node writes these directly. Extended
  // in place: a spread into a new object measured several µs a stream under load.
  response.writeHead(200, Object.assign(headers, SSE_HEADERS));
  response.flushHeaders();
}
