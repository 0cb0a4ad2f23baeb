import type { ServerResponse } from 'node:http';

/**
 * A signal that fires when the client goes away before its response was finished, so the upstream request is
 * cancelled at once instead of running (and being billed) to the end. The response's 'close' is the reliable
 * event: the request's own 'close' also fires once its body has been read.
 */
export function abortOnClientClose(response: ServerResponse): AbortSignal {
  const controller = new AbortController();
  response.once('close', () => {
    if (!response.writableFinished) controller.abort();
  });
  return controller.signal;
}
