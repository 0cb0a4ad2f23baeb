import type { ServerResponse } from 'node:http';
import { Cancellation, type CancelSignal } from '@proxy/core';

/**
 * A signal that fires when the client goes away before its response was finished, so the upstream request is
 * cancelled at once instead of running (and being billed) to the end. The response's 'close' is the reliable
 * event: the request's own 'close' also fires once its body has been read. A Cancellation, not an AbortController:
 * every request needs one, and a plain listener list is all it takes (see CancelSignal).
 */
export function abortOnClientClose(response: ServerResponse): CancelSignal {
  const cancellation = new Cancellation();
  // on(), not once(): a response closes once, and once() wraps the listener in a closure of its own per request.
  response.on('close', () => {
    if (!response.writableFinished) cancellation.abort();
  });
  return cancellation;
}
