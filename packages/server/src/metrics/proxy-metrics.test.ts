import { describe, expect, it } from 'vitest';
import { errorClass, ProxyMetrics } from './proxy-metrics.js';

describe('ProxyMetrics', () => {
  it('counts requests, latency and tokens by their labels', async () => {
    const metrics = new ProxyMetrics();
    for (let i = 0; i < 3; i++) {
      metrics.countRequest('/v1/chat/completions', 'POST', 200);
      metrics.observeLatency('/v1/chat/completions', 0.02 * (i + 1));
      metrics.countTokens('nv', 'meta/llama3-70b', 10, 5);
    }
    metrics.countRequest('/v1/models', 'GET', 401);
    metrics.countTokens('nv', 'm/2', 0, 0);
    metrics.countTokens('nv', 'meta/llama3-70b', 7, 1, 'alice', 'anthropic_messages');
    const text = await metrics.registry.metrics();
    expect(text).toContain('nim_proxy_http_requests_total{route="/v1/chat/completions",method="POST",status="200"} 3');
    expect(text).toContain('nim_proxy_http_requests_total{route="/v1/models",method="GET",status="401"} 1');
    expect(text).toContain('nim_proxy_http_request_duration_seconds_bucket{le="0.025",route="/v1/chat/completions"} 1');
    expect(text).toContain('nim_proxy_http_request_duration_seconds_bucket{le="0.05",route="/v1/chat/completions"} 2');
    expect(text).toContain('nim_proxy_http_request_duration_seconds_count{route="/v1/chat/completions"} 3');
    expect(text).toContain('nim_proxy_prompt_tokens_total{backend="nv",model="meta/llama3-70b"} 30');
    expect(text).toContain('nim_proxy_completion_tokens_total{backend="nv",model="meta/llama3-70b"} 15');
    // A usage of zero still shows its series.
    expect(text).toContain('nim_proxy_prompt_tokens_total{backend="nv",model="m/2"} 0');
    // By the API the client called, beside its key's name.
    expect(text).toContain('nim_proxy_prompt_tokens_total{backend="nv",model="meta/llama3-70b",key_name="alice",front_end="anthropic_messages"} 7');
  });

  it('throws for what prom-client throws for', () => {
    const metrics = new ProxyMetrics();
    expect(() => metrics.observeLatency('/v1/models', Number.NaN)).toThrow(TypeError);
    expect(() => metrics.countTokens('nv', 'm', -1, 0)).toThrow('It is not possible to decrease a counter');
  });

  it('shows the streams being relayed', async () => {
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

  it('classes errors as an operator alerts on them', () => {
    expect([400, 429, 408, 504, 500, 502].map(errorClass)).toEqual(['4xx', '4xx', 'timeout', 'timeout', '5xx', '5xx']);
  });
});
