import { describe, expect, it, vi } from 'vitest';
import { ProxyMetrics } from './proxy-metrics.js';

/** What recordRequest used to do: prom-client's own calls, per request. */
function recordStock(metrics: ProxyMetrics, route: string, method: string, status: number, seconds: number, tokens?: [string, string, number, number]): void {
  metrics.requests.inc({ route, method, status: String(status) });
  metrics.latency.observe({ route }, seconds);
  if (tokens) {
    const labels = { backend: tokens[0], model: tokens[1] };
    metrics.promptTokens.inc(labels, tokens[2]);
    metrics.completionTokens.inc(labels, tokens[3]);
  }
}

function recordFast(metrics: ProxyMetrics, route: string, method: string, status: number, seconds: number, tokens?: [string, string, number, number]): void {
  metrics.countRequest(route, method, status);
  metrics.observeLatency(route, seconds);
  if (tokens) metrics.countTokens(...tokens);
}

const ROUTES = ['/v1/chat/completions', '/v1/models', '/v1/models/*', '/healthz', 'unmatched'];
const BOUNDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

/** A deterministic mix: every bound exactly, values around them, above the last, zero and fractional tokens. */
function* requests(count: number): Generator<Parameters<typeof recordStock> extends [unknown, ...infer Rest] ? Rest : never> {
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let i = 0; i < count; i++) {
    const route = ROUTES[i % ROUTES.length]!;
    const seconds = i < BOUNDS.length ? BOUNDS[i]! : i % 17 === 0 ? 400 + next() : next() * next() * 40;
    const tokens: [string, string, number, number] | undefined =
      i % 3 === 0 ? undefined : ['nv', i % 2 ? 'meta/llama3-70b' : 'm/2', i % 11 === 0 ? 0 : Math.floor(next() * 900), i % 29 === 0 ? 1.5 : Math.floor(next() * 90)];
    yield [route, i % 4 ? 'POST' : 'GET', [200, 200, 401, 429, 499, 502][i % 6]!, seconds, tokens];
  }
}

describe('ProxyMetrics fast paths', () => {
  it('produce exactly the exposition that per-request prom-client calls produce, read at any point', async () => {
    const stock = new ProxyMetrics();
    const fast = new ProxyMetrics();
    let i = 0;
    for (const request of requests(3000)) {
      recordStock(stock, ...request);
      recordFast(fast, ...request);
      if (++i % 700 === 0) expect(await fast.registry.metrics()).toBe(await stock.registry.metrics());
    }
    expect(await fast.registry.metrics()).toBe(await stock.registry.metrics());
    expect(await fast.registry.getMetricsAsJSON()).toEqual(await stock.registry.getMetricsAsJSON());
    expect(await fast.requests.get()).toEqual(await stock.requests.get());
  });

  it('leave prom-client out of the per-request path once a series exists (its internals still fit)', async () => {
    const metrics = new ProxyMetrics();
    const observe = vi.spyOn(metrics.latency, 'observe');
    const inc = vi.spyOn(metrics.requests, 'inc');
    for (let i = 0; i < 5; i++) recordFast(metrics, '/v1/models', 'GET', 200, 0.01 * i, ['nv', 'm', 1, 2]);
    expect(observe).toHaveBeenCalledTimes(1);
    expect(inc).not.toHaveBeenCalled();
    expect(await metrics.registry.metrics()).toContain('nim_proxy_http_requests_total{route="/v1/models",method="GET",status="200"} 5');
    expect(inc).toHaveBeenCalledTimes(1);
  });

  it('throws for what prom-client throws for', () => {
    const metrics = new ProxyMetrics();
    metrics.observeLatency('/v1/models', 0.1);
    expect(() => metrics.observeLatency('/v1/models', Number.NaN)).toThrow(TypeError);
    expect(() => metrics.countTokens('nv', 'm', -1, 0)).toThrow('It is not possible to decrease a counter');
  });

  it('keeps counting after the histogram is reset', async () => {
    const stock = new ProxyMetrics();
    const fast = new ProxyMetrics();
    for (const metrics of [stock, fast]) metrics.latency.observe({ route: '/v1/models' }, 0.2);
    fast.observeLatency('/v1/models', 0.3);
    stock.latency.observe({ route: '/v1/models' }, 0.3);
    for (const metrics of [stock, fast]) metrics.latency.reset();
    fast.observeLatency('/v1/models', 2);
    fast.observeLatency('/v1/models', 3);
    stock.latency.observe({ route: '/v1/models' }, 2);
    stock.latency.observe({ route: '/v1/models' }, 3);
    expect(await fast.registry.metrics()).toBe(await stock.registry.metrics());
  });

  it('shows the streams being relayed each time the gauge is read', async () => {
    const metrics = new ProxyMetrics();
    const active = async () => (await metrics.registry.getSingleMetricAsString('nim_proxy_active_streams')).split('\n').at(-1);
    expect(await active()).toBe('nim_proxy_active_streams 0');
    metrics.streamStarted();
    metrics.streamStarted();
    expect(await active()).toBe('nim_proxy_active_streams 2');
    metrics.streamEnded();
    expect(await active()).toBe('nim_proxy_active_streams 1');
    metrics.streamEnded();
    expect(await active()).toBe('nim_proxy_active_streams 0');
  });
});
