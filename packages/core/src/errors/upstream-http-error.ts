import { CONTEXT_LENGTH_EXCEEDED, readContextOverflow } from './context-overflow.js';
import { describeUpstreamError } from './describe-upstream-error.js';
import { ProxyError } from './proxy-error.js';
import { redactSecrets } from './redact-secrets.js';

export interface UpstreamHttpErrorInput {
  backend: string;
  status: number;
  statusText?: string;
  bodyText: string;
  headers: Record<string, string | string[] | undefined>;
  url: string;
  /** Values that must never appear in the error (the upstream key, for one). */
  secrets: readonly (string | undefined)[];
  /** Replaces the generic message, e.g. "NVIDIA refused the API key". The upstream's reason is appended. */
  explanation?: string;
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  413: 'Payload Too Large',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/**
 * An upstream 4xx/5xx as a ProxyError with the same status, whose message quotes the upstream's own reason,
 * whatever shape its body had, so SDKs show why instead of "(no body)".
 */
export function createUpstreamHttpError(input: UpstreamHttpErrorInput): ProxyError {
  const described = describeUpstreamError(input.bodyText);
  const reason = described.message ?? REASONS[input.status] ?? input.statusText ?? 'no reason given';
  const lead = input.explanation ?? `The ${input.backend} upstream answered HTTP ${input.status}`;
  const message = redactSecrets(`${lead}: ${reason}`, input.secrets);
  const retryAfter = wellFormedRetryAfter(headerValue(input.headers['retry-after']));
  // A prompt longer than the model's window gets OpenAI's code for it, as vLLM-based upstreams give none: clients
  // act on the code (Codex counts its window as full, Claude Code compacts the conversation).
  const overflow = described.code === undefined && OVERFLOW_STATUSES.has(input.status) && readContextOverflow(reason) !== undefined;
  return new ProxyError({
    message,
    status: input.status,
    ...(described.type && input.status < 500 ? { type: described.type } : {}),
    code: overflow ? CONTEXT_LENGTH_EXCEEDED : (described.code ?? null),
    param: described.param ?? (overflow ? 'messages' : null),
    upstreamStatus: input.status,
    url: input.url,
    responseBody: redactSecrets(input.bodyText, input.secrets),
    ...(retryAfter ? { headers: { 'retry-after': retryAfter } } : {}),
  });
}

/** The statuses an upstream refuses an over-long prompt with. */
const OVERFLOW_STATUSES = new Set([400, 413, 422]);

/** Seconds, or an HTTP date in any of its three forms (RFC 9110 §5.6.7): nothing else a client would read. */
const RETRY_AFTER =
  /^(?:\d{1,10}|[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT|[A-Z][a-z]{5,8}, \d{2}-[A-Z][a-z]{2}-\d{2} \d{2}:\d{2}:\d{2} GMT|[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} \d{4})$/;

/**
 * The upstream's `retry-after`, passed on to the client as a header, only when it is one: any other text (an upstream
 * that echoed its key there, markup) is dropped, as no scrubbing reaches headers.
 */
function wellFormedRetryAfter(value: string | undefined): string | undefined {
  const text = value?.trim();
  return text !== undefined && RETRY_AFTER.test(text) ? text : undefined;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
