import { SecretScrubber, type BackendDefinition } from '@proxy/core';
import cors from '@fastify/cors';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { Dispatcher } from 'undici';
import { recordRequest } from './accounting/request-recorder.js';
import { ApiKeyVerifier } from './auth/api-key-verifier.js';
import { bearerAuthAsyncHook } from './auth/bearer-auth.js';
import { BackendRegistry, BUILTIN_BACKENDS } from './backends/backend-registry.js';
import { BackendSet, backendSetOf } from './backends/backend-set.js';
import type { CatalogTimers } from './backends/catalog-timers.js';
import { collectSecrets } from './config/collect-secrets.js';
import { ConfigError } from './config/config-error.js';
import type { ProxyConfigInput } from './config/config-schema.js';
import { isResolvedConfig, resolveConfig, type ResolvedProxyConfig } from './config/resolve-config.js';
import type { ExchangeDeps } from './exchange/exchange-deps.js';
import { registerFrontEnd, useDialect } from './exchange/register-front-end.js';
import { anthropicRoutes, registerClaudeCodeSideTraffic } from './front-ends/anthropic/anthropic-routes.js';
import { openAIChatFrontEnd } from './front-ends/openai-chat/index.js';
import { createModelAliases, createModelSettings, namedAliases } from './models/index.js';
import { registerEmbeddings } from './front-ends/openai-embeddings/index.js';
import { createOpenAIResponsesFrontEnd, refuseStoredStateRoutes } from './front-ends/openai-responses/index.js';
import { clientErrorHandler } from './http/client-error-handler.js';
import { createErrorHandler } from './http/error-handler.js';
import { defaultMaxConnections } from './http/max-connections.js';
import { shuttingDownError } from './http/shutting-down.js';
import { closeUnusedConnections, trackConnections } from './http/unused-connections.js';
import { loggerOptions, type LogDestination } from './http/logger-options.js';
import { notFoundHandler, rejectOtherMethods } from './http/not-found.js';
import { requestIdFor } from './http/request-id.js';
import { KeyLimiters } from './limits/key-limiters.js';
import { ProxyMetrics } from './metrics/proxy-metrics.js';
import { healthRoutes } from './routes/health-routes.js';
import { metricsRoutes } from './routes/metrics-routes.js';
import { modelsDialect, modelsRoutes, speaksAnthropic } from './routes/models-routes.js';

export interface BuildServerOptions {
  /** Backend types beyond the built-in ones (`openai`, `nvidia`); one with a built-in's type replaces it. */
  backends?: readonly BackendDefinition[];
  /** Passed to every connector instead of their own pools (tests, shared connection pools). */
  dispatcher?: Dispatcher;
  /** Where connectors read fallbacks such as `NVIDIA_API_KEY`. Defaults to `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Where JSON log lines are written. Defaults to stdout. */
  logDestination?: LogDestination;
  /** The rate limits' window (60 s, as NIM counts). Tests shorten it so that no test waits a minute. */
  rateLimitWindowMs?: number;
  /** The clock of the background catalog reads (retries, `models_refresh`). Tests inject one to fire them. */
  catalogTimers?: CatalogTimers;
}

/**
 * The proxy as a Fastify instance, not listening: `app.inject()` it, or `listen()` it (see startServer).
 * Connectors are created now, load their catalogs when the app gets ready and are closed by `app.close()`.
 * Throws a ConfigError for a configuration it cannot serve with.
 */
export function buildServer(input: ProxyConfigInput | ResolvedProxyConfig = {}, options: BuildServerOptions = {}): FastifyInstance {
  const config = isResolvedConfig(input) ? input : resolveConfig(input);
  const env = options.env ?? process.env;
  const secrets = collectSecrets(config, env);

  const verifier = new ApiKeyVerifier(config.auth.api_keys);
  if (!config.auth.disabled && verifier.size === 0) {
    throw new ConfigError(
      'No proxy API keys configured, so no client could use the proxy. Set PROXY_API_KEYS (comma-separated) or ' +
        'auth.api_keys in the configuration file; or, on a trusted network only, turn authentication off with ' +
        '--disable-auth (auth.disabled: true).',
    );
  }
  const registry = new BackendRegistry([...BUILTIN_BACKENDS, ...(options.backends ?? [])]);
  const metrics = config.metrics.enabled ? new ProxyMetrics() : undefined;
  // Key pools' pacing: shared through Redis with redis_url, in memory otherwise. The logger exists once the app does.
  const limits = new KeyLimiters({ redisUrl: config.redis_url, metrics, log: () => app.log, windowMs: options.rateLimitWindowMs });
  let backends: BackendSet;
  try {
    backends = new BackendSet(config, registry, { env, dispatcher: options.dispatcher, upstreamBodyLimit: config.upstream_body_limit, createKeyLimiter: limits.create }, secrets, options.catalogTimers);
  } catch (error) {
    void limits.close(); // a Redis client opened for a backend before another failed must not keep the process up
    throw error;
  }

  const app = Fastify({
    logger: loggerOptions(config.logging.level, options.logDestination),
    // recordRequest writes the one line per request, with what the request did; Fastify's own two would repeat it.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'request_id' }),
    genReqId: requestIdFor,
    bodyLimit: config.body_limit,
    // The whole request within body_timeout (a client dribbling its body is cut off with a 408), checked often
    // enough that the timeout means what it says. Given to Node's server itself too: it reads the timeout when it
    // is created, not when Fastify sets it afterwards.
    requestTimeout: config.body_timeout * 1000,
    http: {
      requestTimeout: config.body_timeout * 1000,
      connectionsCheckingInterval: Math.max(100, Math.min(30_000, (config.body_timeout * 1000) / 4)),
    },
    clientErrorHandler,
    routerOptions: { maxParamLength: 512 },
    // Answered by the onRequest hook below instead, in the client's API shape and with a log line.
    return503OnClosing: false,
  });
  const maxConnections = config.max_connections ?? defaultMaxConnections();
  if (maxConnections !== undefined) app.server.maxConnections = maxConnections;
  trackConnections(app.server);

  // Only JSON is accepted: Fastify's text/plain parser would let a mislabelled body through as a string.
  app.removeContentTypeParser('text/plain');
  app.decorateRequest('outcome', null);
  backendSetOf.set(app, backends);
  const errors = { bodyLimit: config.body_limit, secrets };
  const scrubber = new SecretScrubber(secrets);
  app.setErrorHandler(createErrorHandler(errors));
  app.setNotFoundHandler(notFoundHandler);

  // Set when the app starts closing: a request that still arrives, on a connection opened before, is refused.
  let draining = false;
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    // Its route's error handler answers in the route's dialect; /healthz's 503 takes the replica out of rotation.
    done(draining ? shuttingDownError() : undefined);
  });
  app.addHook('onResponse', (request, reply, done) => {
    recordRequest(request, reply, reply.statusCode, metrics);
    done();
  });
  app.addHook('onReady', async () => {
    if (config.auth.disabled) {
      app.log.warn(
        { host: config.host },
        'AUTHENTICATION IS DISABLED: anyone who can reach this server can use it, and the upstream keys, without a proxy key',
      );
    }
    await Promise.all([backends.initialize(app.log), limits.ready()]);
  });
  // Fastify closes the idle connections as it closes; the ones that never sent a byte go with them.
  app.addHook('preClose', (done) => {
    draining = true;
    closeUnusedConnections(app.server);
    done();
  });
  app.addHook('onClose', async () => {
    await backends.close();
    await limits.close();
  });

  if (config.cors.origins.length > 0) {
    // First, at the root: its onRequest hook runs before every scope's own auth hook, so a browser's preflight
    // (which carries no key) is answered 204 here, and every answer to an allowed origin carries the CORS headers.
    app.register(cors, {
      origin: config.cors.origins.includes('*') ? '*' : [...config.cors.origins],
      methods: ['GET', 'HEAD', 'POST'],
      // What the SDKs read from an answer: the request's id (OpenAI's name, Anthropic's) and when and whether to retry.
      exposedHeaders: ['x-request-id', 'request-id', 'retry-after', 'x-should-retry'],
      maxAge: 600,
    });
  }
  app.register(healthRoutes);
  if (metrics) {
    // metricsRoutes takes an async hook; /metrics is polled, not hot, so it keeps that form.
    app.register(metricsRoutes, { metrics, auth: !config.auth.disabled && config.metrics.require_auth ? bearerAuthAsyncHook(verifier) : undefined });
    rejectOtherMethods(app, '/metrics', ['GET']);
  }
  // Every client API is a front end on the one exchange, each in its own scope (its key reading, its error shape).
  const exchange: ExchangeDeps = {
    backends,
    forceModel: config.force_model,
    keepaliveIntervalMs: config.failure_handling.keepalive_interval * 1000,
    retry: {
      maxRetries: config.failure_handling.max_retries,
      baseDelayMs: config.failure_handling.retry_base_delay * 1000,
      maxDelayMs: config.failure_handling.retry_max_delay * 1000,
    },
    metrics,
    errors,
    scrubber,
    verifier: config.auth.disabled ? undefined : verifier,
    resolveModel: createModelAliases(config.model_aliases),
    modelSettings: createModelSettings(config.model_settings),
  };
  const chat = openAIChatFrontEnd({ keepaliveFormat: config.failure_handling.keepalive_format });
  app.register(async (scope) => {
    registerFrontEnd(scope, chat, ['/v1/chat/completions'], exchange);
  });
  app.register(async (scope) => {
    registerFrontEnd(scope, createOpenAIResponsesFrontEnd(), ['/v1/responses'], exchange);
    refuseStoredStateRoutes(scope);
  });
  app.register(async (scope) => {
    // OpenAI's dialect (its error shape, its Bearer key), as the chat route speaks it.
    registerEmbeddings(scope, chat, exchange);
  });
  app.register(anthropicRoutes, { exchange });
  app.register(async (api) => {
    // Every client API lists models here: each request is answered in the dialect it speaks (see modelsDialect).
    // Anthropic's SDKs read the answer's id from `request-id`: set before the key check, so a 401 carries it too.
    api.addHook('onRequest', (request, reply, done) => {
      if (speaksAnthropic(request)) reply.header('request-id', request.id);
      done();
    });
    useDialect(api, modelsDialect(chat), exchange);
    await api.register(modelsRoutes, { backends, aliases: namedAliases(config.model_aliases), settingsOf: exchange.modelSettings, scrubber });
    // Inside the authenticated scope: without a key, a wrong method is 401 like everything else under /v1, so
    // an unauthenticated client cannot probe which methods the API serves.
    rejectOtherMethods(api, '/v1/models', ['GET']);
    rejectOtherMethods(api, '/v1/models/*', ['GET']);
  });
  registerClaudeCodeSideTraffic(app);
  rejectOtherMethods(app, '/healthz', ['GET']);
  return app;
}
