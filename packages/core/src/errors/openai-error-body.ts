/** The error shape every OpenAI client understands: `{"error":{"message","type","param","code"}}`. */
export interface OpenAIErrorBody {
  error: {
    message: string;
    type: string;
    param: string | null;
    code: string | null;
  };
}

/** The `type` values this project uses, chosen to match OpenAI's where OpenAI has one. */
export type OpenAIErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'rate_limit_error'
  | 'timeout_error'
  | 'upstream_error'
  | 'server_error';

/** The OpenAI error type that fits an HTTP status. */
export function errorTypeForStatus(status: number): OpenAIErrorType {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404 || status === 410) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  if (status === 408 || status === 504) return 'timeout_error';
  if (status >= 400 && status < 500) return 'invalid_request_error';
  if (status === 502 || status === 503) return 'upstream_error';
  return 'server_error';
}
