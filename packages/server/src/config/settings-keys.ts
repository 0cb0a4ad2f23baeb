import type { z } from 'zod';

/** The parts of a schema's definition the walk reads (zod 4's `_zod.def`, the same in zod and zod/mini). */
interface SchemaDef {
  type: string;
  shape?: Record<string, z.core.$ZodType>;
  element?: z.core.$ZodType;
  valueType?: z.core.$ZodType;
  innerType?: z.core.$ZodType;
  in?: z.core.$ZodType;
}

/**
 * The keys an object schema takes at `path` inside `schema` (`[]` for the top level): what "did you mean" picks
 * from. The definition's schema is the only list of its settings, so it is read rather than asked for twice.
 * Wrappers (optional, default, a refinement's pipe…) are looked through; where no object is found, no keys.
 */
export function settingsKeysAt(schema: z.core.$ZodType, path: readonly PropertyKey[]): string[] {
  let node: z.core.$ZodType | undefined = schema;
  for (const part of path) {
    const def: SchemaDef = definitionOf(node);
    node = def.type === 'object' ? def.shape?.[String(part)] : def.type === 'array' ? def.element : def.type === 'record' ? def.valueType : undefined;
    if (node === undefined) return [];
  }
  const def = definitionOf(node);
  return def.type === 'object' && def.shape ? Object.keys(def.shape) : [];
}

function definitionOf(schema: z.core.$ZodType): SchemaDef {
  const def = schema._zod.def as SchemaDef;
  const inner = def.innerType ?? def.in;
  return inner ? definitionOf(inner) : def;
}
