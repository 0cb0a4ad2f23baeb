export { loadProxyServer, type ProxyServerModule } from './load-proxy-server.js';
export { startProxyHarness, type ProxyHarness, type ProxyHarnessOptions } from './start-proxy-harness.js';
