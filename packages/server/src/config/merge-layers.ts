import { isRecord } from '@proxy/core';

/**
 * Merges configuration layers, later ones winning. Mappings merge key by key; lists and scalars are replaced
 * whole (a list of API keys from the environment replaces the YAML list rather than adding to it).
 */
export function mergeLayers(...layers: readonly Record<string, unknown>[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const layer of layers) mergeInto(out, layer);
  return out;
}

function mergeInto(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(source)) {
    if (value === undefined) continue;
    const current = target[key];
    if (isRecord(value) && isRecord(current)) mergeInto(current, value);
    else target[key] = isRecord(value) ? mergeLayers(value) : value;
  }
}
