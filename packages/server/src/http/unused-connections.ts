import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/** By HTTP server: its client sockets that are still open. */
const openSockets = new WeakMap<Server, Set<Socket>>();

/**
 * Keeps the set of `server`'s open client sockets, so that a shutdown can find the ones that never sent a byte.
 * Node's closeIdleConnections() leaves those open (it counts them as waiting for their first request's headers),
 * so one spare socket of a client's pool, a browser's preconnect or a load balancer's probe held every shutdown
 * for its whole grace period. A listener per connection, nothing per request.
 */
export function trackConnections(server: Server): void {
  const sockets = new Set<Socket>();
  openSockets.set(server, sockets);
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
}

/**
 * Closes the connections of `server` that have not sent a byte: no request can be lost with them. Called when the
 * server closes, with closeIdleConnections(), for the same reason: a client that sends a request on such a socket
 * from now on is refused anyway, and its HTTP client retries on a fresh connection elsewhere.
 */
export function closeUnusedConnections(server: Server): void {
  for (const socket of openSockets.get(server) ?? []) if (socket.bytesRead === 0) socket.destroy();
}
