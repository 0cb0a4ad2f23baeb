import { ProxyError } from './proxy-error.js';

/** The client's request is wrong: 400, never retried. */
export class InvalidRequestError extends ProxyError {
  constructor(message: string, options: { param?: string | null; code?: string | null; status?: number; cause?: unknown } = {}) {
    super({
      message,
      status: options.status ?? 400,
      type: 'invalid_request_error',
      param: options.param ?? null,
      code: options.code ?? null,
      isRetryable: false,
      cause: options.cause,
    });
    this.name = 'InvalidRequestError';
  }
}
