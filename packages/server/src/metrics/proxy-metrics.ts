import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Latency buckets (seconds) spanning a cached health probe to a long reasoning completion. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

/**
 * Label sets given the fast path below. Label values come from config and routing, so far fewer are expected; past
 * this, new label sets take prom-client's own (slower) path, so a bug that mints labels cannot grow memory twice.
 */
const MAX_FAST_SERIES = 4096;

/** Increments for one counter series, summed here and handed to prom-client when the counter is read. */
interface PendingCount {
  readonly labels: Record<string, string>;
  value: number;
  touched: boolean;
}

/**
 * prom-client 15's state for one histogram series (lib/histogram.js). Not public API: fastLatencySeries checks the
 * shape before relying on it and falls back to `observe` otherwise.
 */
interface HistogramSeries {
  readonly labels: Record<string, string>;
  readonly bucketValues: Record<string, number>;
  sum: number;
  count: number;
}

interface LatencySlot {
  /** The histogram's map the series lives in; `reset()` replaces it, which makes this slot stale. */
  readonly owner: object;
  readonly series: HistogramSeries;
}

/**
 * The proxy's Prometheus metrics, in a registry of their own: two servers in one process (tests, embedders)
 * never share or clash over the global registry.
 */
export class ProxyMetrics {
  readonly registry = new Registry();
  readonly requests: Counter<'route' | 'method' | 'status'>;
  readonly latency: Histogram<'route'>;
  readonly upstreamErrors: Counter<'backend' | 'class' | 'code'>;
  readonly upstreamRetries: Counter<'backend' | 'reason'>;
  readonly activeStreams: Gauge;
  readonly promptTokens: Counter<'backend' | 'model'>;
  readonly completionTokens: Counter<'backend' | 'model'>;

  // prom-client builds a label string and validates the label object on every inc/observe (~2.5 µs a request for
  // these four). Counts are kept here in nested maps instead and handed over in the counters' collect hooks, which
  // run whenever the registry is read, so /metrics shows exactly what per-request inc calls would have produced.
  readonly #requestSeries = new Map<string, Map<string, Map<number, PendingCount>>>();
  readonly #requestCounts: PendingCount[] = [];
  readonly #tokenSeries = new Map<string, Map<string, readonly [PendingCount, PendingCount]>>();
  readonly #promptCounts: PendingCount[] = [];
  readonly #completionCounts: PendingCount[] = [];
  readonly #latencySlots = new Map<string, LatencySlot>();
  /** Streams being relayed, handed to the gauge when it is read (prom-client validates labels on every inc). */
  #activeStreams = 0;
  /** Off for good if prom-client's histogram series ever lacks the expected shape. */
  #latencyFastPath = true;
  readonly #bucketKeys = LATENCY_BUCKETS.map(String);

  constructor() {
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'nim_proxy_http_requests_total',
      help: 'HTTP requests answered, by route, method and status',
      labelNames: ['route', 'method', 'status'],
      registers,
      collect: () => flush(this.requests, this.#requestCounts),
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
      collect: () => this.activeStreams.set(this.#activeStreams),
    });
    this.promptTokens = new Counter({
      name: 'nim_proxy_prompt_tokens_total',
      help: 'Prompt tokens reported by upstreams, by backend and upstream model',
      labelNames: ['backend', 'model'],
      registers,
      collect: () => flush(this.promptTokens, this.#promptCounts),
    });
    this.completionTokens = new Counter({
      name: 'nim_proxy_completion_tokens_total',
      help: 'Completion tokens reported by upstreams, by backend and upstream model',
      labelNames: ['backend', 'model'],
      registers,
      collect: () => flush(this.completionTokens, this.#completionCounts),
    });
  }

  /** `activeStreams.inc()`, cheaper. */
  streamStarted(): void {
    this.#activeStreams += 1;
  }

  /** `activeStreams.dec()`, cheaper. */
  streamEnded(): void {
    this.#activeStreams -= 1;
  }

  /** `requests.inc({ route, method, status })`, cheaper. */
  countRequest(route: string, method: string, status: number): void {
    const count = this.#requestSeries.get(route)?.get(method)?.get(status) ?? this.#addRequestSeries(route, method, status);
    if (count === undefined) {
      this.requests.inc({ route, method, status: String(status) });
      return;
    }
    count.value += 1;
    count.touched = true;
  }

  /** `promptTokens` and `completionTokens` `.inc({ backend, model }, n)`, cheaper. */
  countTokens(backend: string, model: string, promptTokens: number, completionTokens: number): void {
    // Whole counts only: their sums do not depend on the order they are added in, and anything else (including
    // what prom-client would throw for) takes its own path, so it behaves exactly as before.
    const counts =
      isCount(promptTokens) && isCount(completionTokens)
        ? (this.#tokenSeries.get(backend)?.get(model) ?? this.#addTokenSeries(backend, model))
        : undefined;
    if (counts === undefined) {
      const labels = { backend, model };
      this.promptTokens.inc(labels, promptTokens);
      this.completionTokens.inc(labels, completionTokens);
      return;
    }
    counts[0].value += promptTokens;
    counts[0].touched = true;
    counts[1].value += completionTokens;
    counts[1].touched = true;
  }

  /**
   * `latency.observe({ route }, seconds)`, cheaper: after a route's first observation (made by prom-client), later
   * ones update its series in place exactly as prom-client's observe does. Immediately, not deferred, so the float
   * sum is added in the same order.
   */
  observeLatency(route: string, seconds: number): void {
    const histogram = this.latency as unknown as { hashMap: object };
    const slot = this.#latencySlots.get(route);
    if (slot === undefined || slot.owner !== histogram.hashMap || !Number.isFinite(seconds)) {
      this.latency.observe({ route }, seconds);
      if (this.#latencyFastPath) this.#addLatencySlot(route, histogram.hashMap);
      return;
    }
    const series = slot.series;
    series.sum += seconds;
    series.count += 1;
    // Above the last bound only the implicit +Inf bucket (`count`) grows, as in prom-client.
    for (let i = 0; i < LATENCY_BUCKETS.length; i++) {
      if (seconds <= LATENCY_BUCKETS[i]!) {
        series.bucketValues[this.#bucketKeys[i]!]! += 1;
        break;
      }
    }
  }

  #addRequestSeries(route: string, method: string, status: number): PendingCount | undefined {
    if (this.#requestCounts.length >= MAX_FAST_SERIES) return undefined;
    const count: PendingCount = { labels: { route, method, status: String(status) }, value: 0, touched: false };
    this.#requestCounts.push(count);
    let byMethod = this.#requestSeries.get(route);
    if (byMethod === undefined) this.#requestSeries.set(route, (byMethod = new Map()));
    let byStatus = byMethod.get(method);
    if (byStatus === undefined) byMethod.set(method, (byStatus = new Map()));
    byStatus.set(status, count);
    return count;
  }

  #addTokenSeries(backend: string, model: string): readonly [PendingCount, PendingCount] | undefined {
    if (this.#promptCounts.length >= MAX_FAST_SERIES) return undefined;
    const counts = [
      { labels: { backend, model }, value: 0, touched: false },
      { labels: { backend, model }, value: 0, touched: false },
    ] as const;
    this.#promptCounts.push(counts[0]);
    this.#completionCounts.push(counts[1]);
    let byModel = this.#tokenSeries.get(backend);
    if (byModel === undefined) this.#tokenSeries.set(backend, (byModel = new Map()));
    byModel.set(model, counts);
    return counts;
  }

  /** Finds the series prom-client just made for `route`, if it has the expected shape. */
  #addLatencySlot(route: string, owner: object): void {
    if (this.#latencySlots.size >= MAX_FAST_SERIES && !this.#latencySlots.has(route)) return;
    const series = Object.values(owner).find((candidate: unknown) => isLatencySeries(candidate, route, this.#bucketKeys));
    if (series === undefined) this.#latencyFastPath = false;
    else this.#latencySlots.set(route, { owner, series: series as HistogramSeries });
  }
}

function isCount(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}

/** Hands the summed increments to prom-client (from a counter's collect hook, i.e. whenever it is read). */
function flush(counter: Counter<string>, counts: readonly PendingCount[]): void {
  for (const count of counts) {
    if (!count.touched) continue;
    const value = count.value;
    count.value = 0;
    count.touched = false;
    // A zero still creates the series, as a per-request inc of 0 would have.
    counter.inc(count.labels, value);
  }
}

function isLatencySeries(candidate: unknown, route: string, bucketKeys: readonly string[]): boolean {
  if (typeof candidate !== 'object' || candidate === null) return false;
  const series = candidate as Partial<Record<keyof HistogramSeries, unknown>>;
  const labels = series.labels as Record<string, unknown> | undefined;
  const buckets = series.bucketValues as Record<string, unknown> | undefined;
  return (
    typeof series.sum === 'number' &&
    typeof series.count === 'number' &&
    typeof labels === 'object' &&
    labels !== null &&
    labels.route === route &&
    Object.keys(labels).length === 1 &&
    typeof buckets === 'object' &&
    buckets !== null &&
    bucketKeys.every((key) => typeof buckets[key] === 'number')
  );
}

/** `4xx`, `5xx`, or `timeout` for 408/504: what an operator alerts on differently. */
export function errorClass(status: number): string {
  if (status === 408 || status === 504) return 'timeout';
  return status >= 500 ? '5xx' : '4xx';
}
