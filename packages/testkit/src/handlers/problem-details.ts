import { STATUS_CODES } from './status-codes.js';

export interface ProblemDetails {
  type?: string;
  status: number;
  title: string;
  detail?: string;
}

export function statusTitle(status: number): string {
  return STATUS_CODES[status] ?? 'Error';
}

/** An RFC 7807-style body as NIM sends it: no `error` key. */
export function problemDetails(status: number, detail?: string, type?: string): ProblemDetails {
  return {
    ...(type === undefined ? {} : { type }),
    status,
    title: statusTitle(status),
    ...(detail === undefined ? {} : { detail }),
  };
}

export function jsonResponse(body: unknown, status: number, headers: Record<string, string> = {}): Response {
  return new Response(typeof body === 'string' ? body : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

export function problemResponse(
  status: number,
  detail?: string,
  headers: Record<string, string> = {},
): Response {
  return jsonResponse(problemDetails(status, detail), status, headers);
}
