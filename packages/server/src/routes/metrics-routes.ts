import type { FastifyPluginAsync, onRequestAsyncHookHandler } from 'fastify';
import type { ProxyMetrics } from '../metrics/proxy-metrics.js';

export interface MetricsRoutesOptions {
  metrics: ProxyMetrics;
  /** Set when `metrics.require_auth` is on. */
  auth: onRequestAsyncHookHandler | undefined;
}

/** Prometheus text exposition of the app's own registry. */
export const metricsRoutes: FastifyPluginAsync<MetricsRoutesOptions> = async (app, { metrics, auth }) => {
  if (auth) app.addHook('onRequest', auth);
  app.get('/metrics', async (_request, reply) => {
    reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });
};
