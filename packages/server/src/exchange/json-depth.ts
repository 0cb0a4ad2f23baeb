import { InvalidRequestError } from '@proxy/core';

/**
 * The deepest nesting a request body may have: far beyond any chat request (tool schemas included), far below
 * what would overflow the stack of the JSON.stringify that sends it upstream.
 */
export const MAX_JSON_DEPTH = 128;

/**
 * Whether `value` nests objects or arrays deeper than `max` levels. Walked with an explicit stack, never by
 * recursion, so the check itself cannot overflow on the body it is meant to refuse.
 */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const values: unknown[] = [value];
  const depths: number[] = [1];
  while (values.length > 0) {
    const node = values.pop();
    const depth = depths.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    if (depth > max) return true;
    const children = Array.isArray(node) ? node : Object.values(node);
    for (const child of children) {
      if (typeof child === 'object' && child !== null) {
        values.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return false;
}

/** Refuses a body nested deeper than MAX_JSON_DEPTH with a 400, before anything serialises or walks it recursively. */
export function refuseDeepNesting(body: unknown): void {
  if (nestsDeeperThan(body, MAX_JSON_DEPTH)) {
    throw new InvalidRequestError(`The request body nests deeper than ${MAX_JSON_DEPTH} levels`, { code: 'too_deeply_nested' });
  }
}
