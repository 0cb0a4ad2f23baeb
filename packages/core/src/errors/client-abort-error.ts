import { ProxyError } from './proxy-error.js';

/** The client went away, so the upstream request was cancelled. 499 is what nginx logs for it; nobody reads the body. */
export class ClientAbortError extends ProxyError {
  constructor(cause?: unknown) {
    super({ message: 'The client closed the request', status: 499, code: 'client_closed_request', isRetryable: false, cause });
    this.name = 'ClientAbortError';
  }
}
