/** One error of pydantic's list, as FastAPI sends it in a JSON `detail`. */
export interface PydanticError {
  type?: unknown;
  loc?: unknown;
  ctx?: { le?: unknown } | undefined;
}

/**
 * The errors of a JSON body whose `detail` is pydantic's list (or one such error): what NIM's FastAPI front end
 * answers to a body its schema refuses. Empty for any other body, JSON or not.
 */
export function jsonDetailErrors(bodyText: string): PydanticError[] {
  let body: unknown;
  try {
    body = JSON.parse(bodyText);
  } catch {
    return [];
  }
  const detail = typeof body === 'object' && body !== null ? (body as { detail?: unknown }).detail : undefined;
  return (Array.isArray(detail) ? detail : [detail]).filter((item): item is PydanticError => typeof item === 'object' && item !== null);
}
