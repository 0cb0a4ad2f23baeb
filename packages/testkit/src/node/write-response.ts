import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';

/** `reset`: RST at once, nothing sent. `drop`: what was written goes out, then FIN, mid-response. */
function endConnection(req: IncomingMessage, how: 'reset' | 'drop'): void {
  const socket = req.socket;
  if (socket.destroyed) return;
  if (how === 'reset') socket.resetAndDestroy();
  else socket.destroySoon();
}

function outgoingHeaders(response: Response): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {};
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  return headers;
}

/**
 * Writes a fetch `Response` to a `node:http` response without buffering: headers flushed at once, then each
 * body chunk as it comes. `Response.error()` resets the connection before any byte; a body stream that fails
 * drops the connection mid-response.
 */
export async function writeResponse(response: Response, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (response.type === 'error') {
    endConnection(req, 'reset');
    return;
  }
  if (res.destroyed) return;
  res.writeHead(response.status, response.statusText || undefined, outgoingHeaders(response));
  res.flushHeaders();
  if (!response.body) {
    res.end();
    return;
  }
  const reader = response.body.getReader();
  const cancel = (): void => void reader.cancel().catch(() => undefined);
  res.once('close', cancel);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done || res.destroyed) break;
      if (!res.write(value)) await drainedOrClosed(res);
    }
    if (!res.destroyed) res.end();
  } catch {
    endConnection(req, 'drop');
  } finally {
    res.off('close', cancel);
  }
}

/**
 * Resolves on the response's next 'drain' or 'close', whichever comes first, and takes both listeners off: a race
 * of two `events.once` promises would leave the loser's listeners (and an 'error' one each) on the response for
 * every wait, piling up on a long back-pressured body.
 */
function drainedOrClosed(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
}
