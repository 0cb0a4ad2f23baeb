export { ClientAbortError } from './client-abort-error.js';
export { CONTEXT_LENGTH_EXCEEDED, readContextOverflow, type ContextOverflow } from './context-overflow.js';
export { describeUpstreamError, type UpstreamErrorDescription } from './describe-upstream-error.js';
export { InvalidRequestError } from './invalid-request-error.js';
export { mapTransportError } from './map-transport-error.js';
export { errorTypeForStatus, type OpenAIErrorBody, type OpenAIErrorType } from './openai-error-body.js';
export { ProxyError, type ProxyErrorOptions } from './proxy-error.js';
export { redactSecrets } from './redact-secrets.js';
export { createUpstreamHttpError, type UpstreamHttpErrorInput } from './upstream-http-error.js';
