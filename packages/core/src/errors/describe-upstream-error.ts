import { isRecord } from '../is-record.js';

/** What an upstream error body says, in whichever of the shapes OpenAI-compatible servers use. */
export interface UpstreamErrorDescription {
  message: string | undefined;
  type: string | undefined;
  code: string | undefined;
  param: string | undefined;
}

const MAX_MESSAGE = 1_000;

/**
 * Reads an upstream error body: OpenAI's `{"error":{…}}`, RFC 7807 problem details (`detail`, `title`), a bare
 * `{"message"}`, FastAPI/pydantic `{"detail":{type,loc}}` or `{"detail":[…]}`, or plain text.
 */
export function describeUpstreamError(bodyText: string): UpstreamErrorDescription {
  const none: UpstreamErrorDescription = { message: undefined, type: undefined, code: undefined, param: undefined };
  const text = bodyText.trim();
  if (!text) return none;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { ...none, message: clip(text) };
  }
  if (!isRecord(body)) return { ...none, message: clip(text) };

  const error = body.error;
  if (isRecord(error)) {
    return {
      message: stringOf(error.message) ?? stringOf(body.message),
      type: stringOf(error.type),
      code: stringOf(error.code),
      param: stringOf(error.param),
    };
  }
  if (typeof error === 'string') return { ...none, message: clip(error) };

  const detail = describeDetail(body.detail);
  const title = stringOf(body.title);
  const message = detail ?? stringOf(body.message) ?? title;
  return { ...none, message: message === undefined ? undefined : clip(message), param: paramOf(body.detail) };
}

function describeDetail(detail: unknown): string | undefined {
  if (typeof detail === 'string') return detail;
  if (Array.isArray(detail)) {
    const parts = detail.map(describeDetail).filter((part): part is string => part !== undefined);
    return parts.length ? parts.join('; ') : undefined;
  }
  if (isRecord(detail)) {
    const what = stringOf(detail.msg) ?? stringOf(detail.message) ?? stringOf(detail.type);
    const loc = Array.isArray(detail.loc) ? detail.loc.join('.') : undefined;
    if (what && loc) return `${what} (at ${loc})`;
    return what ?? loc;
  }
  return undefined;
}

function paramOf(detail: unknown): string | undefined {
  const first = Array.isArray(detail) ? detail[0] : detail;
  if (!isRecord(first) || !Array.isArray(first.loc)) return undefined;
  const path = first.loc.filter((part) => part !== 'body');
  return path.length ? path.join('.') : undefined;
}

function stringOf(value: unknown): string | undefined {
  if (typeof value === 'string' && value.length > 0) return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

function clip(text: string): string {
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE)}…` : text;
}
