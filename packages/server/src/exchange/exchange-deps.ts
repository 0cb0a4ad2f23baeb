import type { SecretScrubber } from '@proxy/core';
import type { ApiKeyVerifier } from '../auth/api-key-verifier.js';
import type { BackendSet } from '../backends/backend-set.js';
import type { ErrorContext } from '../http/to-proxy-error.js';
import type { ProxyMetrics } from '../metrics/proxy-metrics.js';
import type { RetryPolicy } from '../retry/retry-policy.js';
import type { ModelSettings } from './front-end.js';

/** What every exchange needs from the server, whatever front end it serves. */
export interface ExchangeDeps {
  backends: BackendSet;
  /** Replaces the client's model; may carry a `backend:` prefix. */
  forceModel: string | undefined;
  /** Silence (ms) after which a stream is committed and kept alive; 0 disables both. */
  keepaliveIntervalMs: number;
  /** Retries of upstream calls that failed before the client received a byte. */
  retry: RetryPolicy;
  metrics: ProxyMetrics | undefined;
  errors: ErrorContext;
  /** Removes every known key from what reaches a client, whatever the upstream sent. */
  scrubber: SecretScrubber;
  /** The proxy's keys; undefined when authentication is disabled. */
  verifier: ApiKeyVerifier | undefined;
  /** The model id to route for the one a client asked for (the alias table); identity without aliases. */
  resolveModel(model: string): string;
  /** The configured settings of an upstream model. */
  modelSettings(backend: string, model: string): ModelSettings;
}
