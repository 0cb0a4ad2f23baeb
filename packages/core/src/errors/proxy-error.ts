import { errorTypeForStatus, type OpenAIErrorBody } from './openai-error-body.js';
import { urlWithoutCredentials } from './url-without-credentials.js';

const marker = Symbol.for('@proxy/core/proxy-error');

export interface ProxyErrorOptions {
  message: string;
  /** HTTP status the client receives. */
  status: number;
  /** OpenAI error `type`; derived from the status when omitted. */
  type?: string;
  /** Machine-readable code, e.g. `upstream_timeout`. */
  code?: string | null;
  /** The request field at fault, e.g. `messages[0].role`. */
  param?: string | null;
  /** Whether the same request may succeed if sent again (408, 409, 429, 5xx, connection faults). */
  isRetryable?: boolean;
  /** Response headers worth passing on to the client, e.g. `retry-after`. */
  headers?: Record<string, string>;
  /** The upstream status, when the error came from an upstream answer. */
  upstreamStatus?: number;
  /** The upstream URL (never carries a key; a user name and password in it are removed). */
  url?: string;
  /** The upstream response body, with secrets removed. */
  responseBody?: string;
  cause?: unknown;
}

/**
 * Every error the proxy shows a client. It knows its HTTP status and renders itself as an OpenAI error body, so
 * one error handler can answer every failure in the same shape.
 */
export class ProxyError extends Error {
  readonly [marker] = true;
  readonly status: number;
  readonly type: string;
  readonly code: string | null;
  readonly param: string | null;
  readonly isRetryable: boolean;
  readonly headers: Readonly<Record<string, string>>;
  readonly upstreamStatus: number | undefined;
  readonly url: string | undefined;
  readonly responseBody: string | undefined;

  constructor(options: ProxyErrorOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ProxyError';
    this.status = options.status;
    this.type = options.type ?? errorTypeForStatus(options.status);
    this.code = options.code ?? null;
    this.param = options.param ?? null;
    this.isRetryable = options.isRetryable ?? defaultRetryable(options.status);
    this.headers = options.headers ?? {};
    this.upstreamStatus = options.upstreamStatus;
    this.url = options.url === undefined ? undefined : urlWithoutCredentials(options.url);
    this.responseBody = options.responseBody;
  }

  /** Works across duplicate installs of this package, where `instanceof` does not. */
  static isInstance(value: unknown): value is ProxyError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[marker] === true;
  }

  toBody(): OpenAIErrorBody {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

function defaultRetryable(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}
