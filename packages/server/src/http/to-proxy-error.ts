import { InvalidRequestError, ProxyError, redactSecrets } from '@proxy/core';

export interface ErrorContext {
  bodyLimit: number;
  /** Credentials to scrub from messages: an upstream may echo a key back in its error body. */
  secrets: readonly string[];
}

interface FrameworkError {
  code?: unknown;
  statusCode?: unknown;
  message?: unknown;
}

/**
 * Any error a request can end with, as the ProxyError the client sees. Fastify's own errors (body too large,
 * wrong content type, bad JSON) get precise messages; unknown failures become a 500 that reveals nothing.
 */
export function toProxyError(error: unknown, context: ErrorContext): ProxyError {
  if (ProxyError.isInstance(error)) return withoutSecrets(error, context.secrets);
  const { code, statusCode } = (error ?? {}) as FrameworkError;
  switch (code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new InvalidRequestError(`The request body is larger than the limit of ${context.bodyLimit} bytes`, {
        status: 413,
        code: 'request_too_large',
      });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new InvalidRequestError("Unsupported content type: send the request body as 'application/json'", {
        status: 415,
        code: 'unsupported_media_type',
      });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new InvalidRequestError("The request body is empty but the content type is 'application/json'", {
        code: 'invalid_json',
      });
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new InvalidRequestError('The request body is not valid JSON', { code: 'invalid_json' });
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new InvalidRequestError('The request body does not match its Content-Length', { code: 'invalid_body' });
  }
  if (error instanceof SyntaxError) return new InvalidRequestError('The request body is not valid JSON', { code: 'invalid_json' });
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    return new InvalidRequestError(typeof (error as FrameworkError).message === 'string' ? String((error as FrameworkError).message) : 'Bad request', {
      status: statusCode,
      code: typeof code === 'string' ? code.toLowerCase() : null,
    });
  }
  return new ProxyError({ status: 500, code: 'internal_error', message: 'The proxy failed to handle the request', cause: error });
}

/** The same error with every known secret replaced in its message (core already removes the upstream's key). */
function withoutSecrets(error: ProxyError, secrets: readonly string[]): ProxyError {
  const message = redactSecrets(error.message, secrets);
  if (message === error.message) return error;
  return new ProxyError({
    message,
    status: error.status,
    type: error.type,
    code: error.code,
    param: error.param,
    isRetryable: error.isRetryable,
    headers: { ...error.headers },
    ...(error.upstreamStatus === undefined ? {} : { upstreamStatus: error.upstreamStatus }),
    ...(error.url === undefined ? {} : { url: error.url }),
    cause: error,
  });
}
