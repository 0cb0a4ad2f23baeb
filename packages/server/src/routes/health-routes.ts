import type { FastifyPluginAsync } from 'fastify';

/** Liveness only: answers while the process serves HTTP, whatever the upstreams' state. Never needs a key. */
export const healthRoutes: FastifyPluginAsync = async (app) => {
  app.get('/healthz', async () => ({ status: 'ok' }));
};
