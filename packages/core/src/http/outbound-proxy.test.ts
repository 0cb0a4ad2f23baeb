import { describe, expect, it } from 'vitest';
import { describeProxyUrl, noProxyList, outboundProxyFromEnv, proxyCredentials, proxyFor } from './outbound-proxy.js';

describe('outboundProxyFromEnv', () => {
  it('reads the usual variables, lower case first, and is undefined without a proxy variable', () => {
    expect(outboundProxyFromEnv({})).toBeUndefined();
    expect(outboundProxyFromEnv({ NO_PROXY: 'internal', HTTP_PROXY: '  ' })).toBeUndefined();
    expect(outboundProxyFromEnv({ HTTPS_PROXY: 'http://upper:3128', https_proxy: ' http://lower:3128 ', NO_PROXY: 'nim.internal' })).toEqual({
      httpProxy: undefined,
      httpsProxy: 'http://lower:3128',
      noProxy: 'nim.internal',
    });
    expect(outboundProxyFromEnv({ HTTP_PROXY: 'http://p:8080' })).toEqual({ httpProxy: 'http://p:8080', httpsProxy: undefined, noProxy: undefined });
  });
});

describe('proxyFor', () => {
  const proxy = { httpProxy: 'http://plain:8080', httpsProxy: 'http://secure:3128', noProxy: 'nim.internal, .corp:8443' };

  it('takes HTTPS_PROXY for https upstreams and HTTP_PROXY for http ones (and for https when HTTPS_PROXY is unset)', () => {
    expect(proxyFor(proxy, 'https://integrate.api.nvidia.com/v1')).toBe('http://secure:3128');
    expect(proxyFor(proxy, 'http://vllm.example:8000/v1')).toBe('http://plain:8080');
    expect(proxyFor({ httpProxy: 'http://plain:8080' }, 'https://integrate.api.nvidia.com/v1')).toBe('http://plain:8080');
    expect(proxyFor({ httpsProxy: 'http://secure:3128' }, 'http://vllm.example:8000/v1')).toBeUndefined();
    expect(proxyFor(undefined, 'https://integrate.api.nvidia.com/v1')).toBeUndefined();
  });

  it('goes directly to NO_PROXY hosts, their subdomains, a host:port entry on its port only, and to loopback always', () => {
    expect(proxyFor(proxy, 'https://nim.internal/v1')).toBeUndefined();
    expect(proxyFor(proxy, 'http://gpu1.nim.internal:8000/v1')).toBeUndefined();
    expect(proxyFor(proxy, 'https://a.corp:8443/v1')).toBeUndefined();
    expect(proxyFor(proxy, 'https://a.corp/v1')).toBe('http://secure:3128');
    expect(proxyFor(proxy, 'https://notnim.internal.example/v1')).toBe('http://secure:3128');
    for (const loopback of ['http://127.0.0.1:9000/v1', 'http://localhost:9000/v1', 'http://[::1]:9000/v1']) expect(proxyFor(proxy, loopback)).toBeUndefined();
    expect(proxyFor({ ...proxy, noProxy: '*' }, 'https://integrate.api.nvidia.com/v1')).toBeUndefined();
  });
});

describe('noProxyList', () => {
  it('adds the loopback names, and keeps a lone * as it is (undici reads * only alone)', () => {
    expect(noProxyList({ noProxy: 'nim.internal' })).toBe('nim.internal,localhost,127.0.0.1,[::1]');
    expect(noProxyList({})).toBe('localhost,127.0.0.1,[::1]');
    expect(noProxyList({ noProxy: '*' })).toBe('*');
  });
});

describe('a proxy URL shown or scrubbed', () => {
  it('is shown without its credentials, and its password is a secret', () => {
    expect(describeProxyUrl('http://alice:s3cret%21@proxy.corp:3128')).toBe('http://proxy.corp:3128');
    expect(describeProxyUrl('http://proxy.corp:3128/')).toBe('http://proxy.corp:3128');
    expect(proxyCredentials({ httpProxy: 'http://alice:s3cret%21@proxy.corp:3128', httpsProxy: 'http://proxy.corp:3128' })).toEqual(['s3cret!']);
    expect(proxyCredentials(undefined)).toEqual([]);
  });
});
