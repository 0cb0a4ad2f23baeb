import autocannon from 'autocannon';

export interface LoadResult {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  total: number;
}

export interface LoadOptions {
  url: string;
  body: string;
  connections: number;
  /** Run for this long… */
  durationSeconds?: number;
  /** …or until this many requests were sent. */
  amount?: number;
  headers?: Record<string, string>;
}

/** autocannon at a fixed connection count; a request counts only if it completed with 2xx. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const result = await autocannon({
    url: options.url,
    method: 'POST',
    connections: options.connections,
    ...(options.amount ? { amount: options.amount } : { duration: options.durationSeconds ?? 10 }),
    pipelining: 1,
    body: options.body,
    headers: { 'content-type': 'application/json', ...options.headers },
  });
  return {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    total: result.requests.total,
  };
}
