/** A tool call read from a model's own markup: its name and its arguments as JSON text. */
export interface MarkupCall {
  name: string;
  arguments: string;
}

/** A tool's parameters as its JSON schema declares them (`properties`), found by the tool's name. */
export type ParameterSchemas = (tool: string) => Readonly<Record<string, unknown>> | undefined;

/** The parameter schemas of chat tools (`[{type: 'function', function: {name, parameters}}]`), by name. */
export function chatToolSchemas(tools: unknown): ParameterSchemas {
  return parameterSchemas(() =>
    (Array.isArray(tools) ? (tools as { function?: { name?: unknown; parameters?: unknown } }[]) : []).flatMap((tool) =>
      typeof tool?.function?.name === 'string' ? [{ name: tool.function.name, schema: tool.function.parameters }] : [],
    ),
  );
}

/** The lookup of the request's tools' parameter schemas, built on first use (only a model writing markup needs it). */
export function parameterSchemas(tools: () => Iterable<{ name: string; schema: unknown }>): ParameterSchemas {
  let byName: Map<string, Readonly<Record<string, unknown>>> | undefined;
  return (tool) => {
    if (byName === undefined) {
      byName = new Map();
      for (const { name, schema } of tools()) {
        const properties = (schema as { properties?: unknown } | null | undefined)?.properties;
        if (typeof properties === 'object' && properties !== null) byName.set(name, properties as Record<string, unknown>);
      }
    }
    return byName.get(tool);
  };
}

const INVOKE = /<invoke\s+name=([^>]*)>([\s\S]*?)<\/invoke>/g;
const PARAMETER = /<parameter\s+name=([^>]*)>([\s\S]*?)<\/parameter>/g;

/**
 * The calls inside one `<minimax:tool_call>` block, MiniMax's own format (M2 to M3):
 * `<invoke name="tool"><parameter name="key">value</parameter>…</invoke>`, several invokes to a block. Values are
 * text; each is read by the type its tool's schema gives the parameter, as MiniMax's reference parser does (a
 * string stays text, numbers, booleans, objects and arrays are converted, `null` is null, a parameter the schema
 * does not know stays text). An invoke not closed (the answer ended inside it) is not a call: it is counted in
 * `cut`, so a half-written command is never run.
 */
export function parseMinimaxCalls(block: string, schemas: ParameterSchemas): { calls: MarkupCall[]; cut: boolean } {
  const calls: MarkupCall[] = [];
  let end = 0;
  for (const invoke of block.matchAll(INVOKE)) {
    end = invoke.index + invoke[0].length;
    const name = unquote(invoke[1]!);
    if (name === '') continue;
    const properties = schemas(name);
    const args: Record<string, unknown> = {};
    for (const parameter of invoke[2]!.matchAll(PARAMETER)) {
      const key = unquote(parameter[1]!);
      const type = (properties?.[key] as { type?: unknown } | undefined)?.type;
      args[key] = convertValue(parameter[2]!.trim(), typeof type === 'string' ? type : 'string');
    }
    calls.push({ name, arguments: JSON.stringify(args) });
  }
  return { calls, cut: block.indexOf('<invoke', end) >= 0 };
}

function unquote(text: string): string {
  const trimmed = text.trim();
  const first = trimmed[0];
  return trimmed.length >= 2 && (first === '"' || first === "'") && trimmed.endsWith(first) ? trimmed.slice(1, -1) : trimmed;
}

function convertValue(value: string, type: string): unknown {
  if (value.toLowerCase() === 'null') return null;
  switch (type.toLowerCase()) {
    case 'string':
    case 'str':
    case 'text':
      return value;
    case 'integer':
    case 'int':
      return /^[+-]?\d+$/.test(value) ? Number(value) : value;
    case 'number':
    case 'float': {
      const number = Number(value);
      return value !== '' && Number.isFinite(number) ? number : value;
    }
    case 'boolean':
    case 'bool':
      return value.toLowerCase() === 'true' || value === '1';
    default:
      return parseJsonOr(value);
  }
}

function parseJsonOr(value: string): unknown {
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}
