export { createDispatcher, type DispatcherSettings } from './create-dispatcher.js';
export { joinUrl } from './join-url.js';
export { dispatchUpstream, UpstreamResponse, type BodyConsumer, type UpstreamRequest } from './upstream-response.js';
export { describeProxyUrl, noProxyList, outboundProxyFromEnv, proxyCredentials, proxyFor, type OutboundProxy } from './outbound-proxy.js';
