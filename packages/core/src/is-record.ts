/**
 * A JSON object: not null, not an array. The one narrowing of `unknown` JSON to its fields, shared by core, the
 * connectors and the server (the testkit's mock depends on no workspace package and keeps its own copy).
 */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
