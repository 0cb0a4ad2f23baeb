import { once } from 'node:events';
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
      if (!res.write(value)) await Promise.race([once(res, 'drain'), once(res, 'close')]);
    }
    if (!res.destroyed) res.end();
  } catch {
    endConnection(req, 'drop');
  } finally {
    res.off('close', cancel);
  }
}
