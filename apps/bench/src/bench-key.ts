/** The proxy key the bench's proxy accepts. */
export const BENCH_PROXY_KEY = 'sk-bench-proxy-key';
