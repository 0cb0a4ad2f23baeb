import { ClientAbortError } from './client-abort-error.js';
import { ProxyError } from './proxy-error.js';

interface TransportContext {
  /** Backend name, for the message. */
  backend: string;
  /** Upstream URL without query string. */
  url: string;
  /** Set when the caller's signal fired: the failure is the client's leaving, not the upstream's. */
  aborted: boolean;
  /**
   * Set when the upstream had already sent its response headers: it accepted the request and may have done (and
   * billed) the work, so sending it again is not safe and the error is not retryable.
   */
  responseStarted?: boolean;
}

/**
 * Maps a failure below HTTP (undici's `UND_ERR_*` codes, socket errno codes) to a ProxyError: timeouts are 504,
 * an unreachable or misbehaving upstream is 502. Matches `error.code`, never messages or `instanceof`.
 */
export function mapTransportError(error: unknown, context: TransportContext): ProxyError {
  if (ProxyError.isInstance(error)) return error;
  if (context.aborted || isAbort(error)) return new ClientAbortError(error);
  const code = errorCode(error);
  // The URL stays on the error (and in the log line), out of the message: a self-hosted NIM's internal hosts are no
  // business of its clients.
  const where = `${context.backend} upstream`;
  const base = { url: context.url, cause: error, isRetryable: context.responseStarted !== true } as const;
  switch (code) {
    case 'UPSTREAM_BODY_TOO_LARGE':
      return new ProxyError({
        ...base,
        isRetryable: false,
        status: 502,
        code: 'upstream_response_too_large',
        message: `The ${where} sent a response larger than the proxy's limit of ${(error as { limit?: number }).limit ?? 'its'} bytes`,
      });
    case 'UND_ERR_CONNECT_TIMEOUT':
      return new ProxyError({ ...base, status: 504, code: 'upstream_connect_timeout', message: `Timed out connecting to the ${where}` });
    case 'UND_ERR_HEADERS_TIMEOUT':
      return new ProxyError({ ...base, status: 504, code: 'upstream_timeout', message: `The ${where} sent no response in time` });
    case 'UND_ERR_BODY_TIMEOUT':
      return new ProxyError({ ...base, status: 504, code: 'upstream_timeout', message: `The ${where} went silent mid-response for too long` });
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new ProxyError({ ...base, status: 502, code: 'upstream_unreachable', message: `Cannot reach the ${where}: ${code}` });
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
    case 'UND_ERR_CLOSED':
      return new ProxyError({ ...base, status: 502, code: 'upstream_connection_error', message: `The ${where} closed the connection unexpectedly` });
    case 'HPE_INVALID_CONSTANT':
    case 'HPE_INVALID_CHUNK_SIZE':
    case 'HPE_INVALID_HEADER_TOKEN':
    case 'HPE_UNEXPECTED_CONTENT_LENGTH':
    case 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH':
      return new ProxyError({ ...base, status: 502, code: 'upstream_protocol_error', message: `The ${where} broke the HTTP protocol (${code})` });
    default:
      // undici's HTTPParserError carries no code for some violations (e.g. an invalid Content-Length).
      if (code?.startsWith('HPE_') || (error as { name?: unknown } | null)?.name === 'HTTPParserError') {
        return new ProxyError({ ...base, status: 502, code: 'upstream_protocol_error', message: `The ${where} broke the HTTP protocol${code ? ` (${code})` : ''}` });
      }
      return new ProxyError({ ...base, status: 502, code: 'upstream_error', message: `Request to the ${where} failed${code ? ` (${code})` : ''}` });
  }
}

function errorCode(error: unknown): string | undefined {
  // undici wraps socket errors; the errno code of the cause is the precise one.
  for (let current = error, depth = 0; current && depth < 4; depth++) {
    const code = (current as { code?: unknown }).code;
    // 'UND_ERR' is undici's generic base code: the cause, if any, says more.
    if (typeof code === 'string' && code !== 'UND_ERR') {
      if (code === 'UND_ERR_SOCKET' || code === 'UND_ERR_CONNECT') {
        const inner = (current as { cause?: { code?: unknown } }).cause?.code;
        if (typeof inner === 'string') return inner;
      }
      return code;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function isAbort(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  return name === 'AbortError' || errorCode(error) === 'UND_ERR_ABORTED';
}
