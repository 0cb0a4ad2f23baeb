import type { FastifyInstance } from 'fastify';
import { closeUnusedConnections } from './http/unused-connections.js';

const IDLE_SWEEP_MS = 50;
/** By HTTP server: every encapsulated scope of one app shares it. */
const cutServers = new WeakSet<object>();

/** Whether `app`'s grace period ran out and its open connections were cut: their requests failed by shutdown. */
export function cutByShutdown(app: FastifyInstance): boolean {
  return cutServers.has(app.server);
}

/**
 * Stops accepting connections and lets in-flight requests (streams included) finish for up to `graceMs`;
 * whatever is still open then is cut. Connectors are closed last, by the app's onClose hook. Resolves `true`
 * when everything finished within the grace period.
 */
export async function closeGracefully(app: FastifyInstance, graceMs: number): Promise<boolean> {
  const closed = app.close();
  // server.close() closes the connections idle at that moment only; a keep-alive connection whose stream ends
  // later would hold the close open until the grace period. Sweep them as they go idle, with those opened and
  // never used.
  const sweeper = setInterval(() => {
    app.server.closeIdleConnections();
    closeUnusedConnections(app.server);
  }, IDLE_SWEEP_MS);
  sweeper.unref();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<'expired'>((resolve) => {
    timer = setTimeout(resolve, graceMs, 'expired');
    timer.unref();
  });
  const first = await Promise.race([closed.then(() => 'closed' as const), expired]);
  clearTimeout(timer);
  clearInterval(sweeper);
  if (first === 'closed') return true;
  app.log.warn({ grace_period_s: graceMs / 1000 }, 'grace period over: closing the connections still open');
  // Marked first: the requests these connections carried are then counted as failed by shutdown, not as clients
  // that left.
  cutServers.add(app.server);
  app.server.closeAllConnections();
  await closed;
  return false;
}
