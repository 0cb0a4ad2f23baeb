import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { CounterCells, type CounterCell } from './counter-cells.js';

/** Latency buckets (seconds) spanning a cached health probe to a long reasoning completion. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

/**
 * The proxy's Prometheus metrics, in a registry of their own: two servers in one process (tests, embedders)
 * never share or clash over the global registry. Every update goes through prom-client's public API, so what
 * `/metrics` shows is prom-client's own bookkeeping; the counters every request moves take their increments from
 * CounterCells when prom-client collects them.
 */
export class ProxyMetrics {
  readonly registry = new Registry();
  readonly requests: Counter<'route' | 'method' | 'status'>;
  readonly latency: Histogram<'route'>;
  readonly upstreamErrors: Counter<'backend' | 'class' | 'code'>;
  readonly upstreamRetries: Counter<'backend' | 'reason'>;
  readonly activeStreams: Gauge;
  /** `key_name` is the proxy key's configured name (absent for bare keys): who spent the tokens, never the key. */
  readonly promptTokens: Counter<'backend' | 'model' | 'key_name' | 'front_end'>;
  readonly completionTokens: Counter<'backend' | 'model' | 'key_name' | 'front_end'>;
  /** Pacing (limits/): requests waiting for a key's slot, how long they waited, and what each key did. */
  readonly queueDepth: Gauge<'backend'>;
  readonly queueWait: Histogram<'backend'>;
  readonly keyRequests: Counter<'backend' | 'key_index'>;
  readonly keyRests: Counter<'backend' | 'key_index'>;
  readonly rateLimitRefusals: Counter<'backend'>;
  readonly #requestCells: CounterCells<'route' | 'method' | 'status'>;
  readonly #tokenCells: { prompt: CounterCells<'backend' | 'model' | 'key_name' | 'front_end'>; completion: CounterCells<'backend' | 'model' | 'key_name' | 'front_end'> };
  readonly #keyRequestCells: CounterCells<'backend' | 'key_index'>;

  constructor() {
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'nim_proxy_http_requests_total',
      help: 'HTTP requests answered, by route, method and status',
      labelNames: ['route', 'method', 'status'],
      registers,
      collect: () => this.#requestCells.flush(),
    });
    this.latency = new Histogram({
      name: 'nim_proxy_http_request_duration_seconds',
      help: 'Time from request to the end of the response (the whole stream for streaming completions)',
      labelNames: ['route'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.upstreamErrors = new Counter({
      name: 'nim_proxy_upstream_errors_total',
      help: 'Failed upstream calls, by backend, class (4xx, 5xx, timeout) and error code',
      labelNames: ['backend', 'class', 'code'],
      registers,
    });
    this.upstreamRetries = new Counter({
      name: 'nim_proxy_upstream_retries_total',
      help: 'Upstream calls sent again after a retryable failure (429, 502-504, unreachable), by backend and reason',
      labelNames: ['backend', 'reason'],
      registers,
    });
    this.activeStreams = new Gauge({
      name: 'nim_proxy_active_streams',
      help: 'Streaming completions currently being relayed',
      registers,
    });
    this.promptTokens = new Counter({
      name: 'nim_proxy_prompt_tokens_total',
      help: 'Prompt tokens reported by upstreams (estimated by /v1/messages and /v1/responses when none were), by backend, upstream model, proxy key name and front end',
      labelNames: ['backend', 'model', 'key_name', 'front_end'],
      registers,
      collect: () => this.#tokenCells.prompt.flush(),
    });
    this.completionTokens = new Counter({
      name: 'nim_proxy_completion_tokens_total',
      help: 'Completion tokens reported by upstreams (estimated by /v1/messages and /v1/responses when none were), by backend, upstream model, proxy key name and front end',
      labelNames: ['backend', 'model', 'key_name', 'front_end'],
      registers,
      collect: () => this.#tokenCells.completion.flush(),
    });
    this.queueDepth = new Gauge({
      name: 'nim_proxy_rate_limit_queue_depth',
      help: "Requests waiting for a slot under a backend key pool's rate limit",
      labelNames: ['backend'],
      registers,
    });
    this.queueWait = new Histogram({
      name: 'nim_proxy_rate_limit_wait_seconds',
      help: 'Time upstream attempts waited for a slot on a key (0 when one was free)',
      labelNames: ['backend'],
      buckets: [0, 0.01, 0.1, 0.5, 1, 2.5, 5, 10, 20, 30, 45, 60, 120],
      registers,
    });
    this.keyRequests = new Counter({
      name: 'nim_proxy_upstream_key_requests_total',
      help: "Upstream attempts sent on each key of a backend's pool, by key index (never the key)",
      labelNames: ['backend', 'key_index'],
      registers,
      collect: () => this.#keyRequestCells.flush(),
    });
    this.keyRests = new Counter({
      name: 'nim_proxy_upstream_key_rests_total',
      help: 'Times a key was rested after the upstream answered 429, by key index',
      labelNames: ['backend', 'key_index'],
      registers,
    });
    this.rateLimitRefusals = new Counter({
      name: 'nim_proxy_rate_limit_refusals_total',
      help: 'Requests answered 429 by the proxy because no key had a slot within max_wait',
      labelNames: ['backend'],
      registers,
    });
    this.#requestCells = new CounterCells(this.requests, ['route', 'method', 'status']);
    this.#tokenCells = {
      prompt: new CounterCells(this.promptTokens, ['backend', 'model', 'key_name', 'front_end']),
      completion: new CounterCells(this.completionTokens, ['backend', 'model', 'key_name', 'front_end']),
    };
    this.#keyRequestCells = new CounterCells(this.keyRequests, ['backend', 'key_index']);
  }

  /** A stream began to be relayed. */
  streamStarted(): void {
    this.activeStreams.inc();
  }

  /** A stream being relayed ended, however it ended. */
  streamEnded(): void {
    this.activeStreams.dec();
  }

  /** One answered request. */
  countRequest(route: string, method: string, status: number): void {
    this.#requestCells.add(this.#requestCells.cell(route, method, statusText(status)));
  }

  /** Token usage an upstream reported for one completion; `frontEnd` names the API the client called. */
  countTokens(backend: string, model: string, promptTokens: number, completionTokens: number, keyName?: string, frontEnd?: string): void {
    const { prompt, completion } = this.#tokenCells;
    prompt.add(prompt.cell(backend, model, keyName, frontEnd), promptTokens);
    completion.add(completion.cell(backend, model, keyName, frontEnd), completionTokens);
  }

  /** Counts the upstream attempts sent on one key of a backend's pool. */
  keyRequestCounter(backend: string, keyIndex: number): () => void {
    const cells = this.#keyRequestCells;
    const cell: CounterCell = cells.cell(backend, String(keyIndex));
    return () => cells.add(cell);
  }

  /** Time from a request to the end of its response. */
  observeLatency(route: string, seconds: number): void {
    this.latency.observe({ route }, seconds);
  }
}

const STATUS_TEXT = new Map<number, string>();

/** The status as a label value, one string per status rather than one per request. */
function statusText(status: number): string {
  let text = STATUS_TEXT.get(status);
  if (text === undefined) STATUS_TEXT.set(status, (text = String(status)));
  return text;
}

/** `4xx`, `5xx`, or `timeout` for 408/504: what an operator alerts on differently. */
export function errorClass(status: number): string {
  if (status === 408 || status === 504) return 'timeout';
  return status >= 500 ? '5xx' : '4xx';
}
