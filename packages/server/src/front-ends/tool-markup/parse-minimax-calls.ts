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

const INVOKE = /<invoke\s+name=([^>]*)>/g;
const PARAMETER = /<parameter\s+name=([^>]*)>/g;
const INVOKE_END = '</invoke>';
const PARAMETER_END = '</parameter>';
const BLOCK_END = '</minimax:tool_call>';

/**
 * The calls inside one `<minimax:tool_call>` block, MiniMax's own format (M2 to M3):
 * `<invoke name="tool"><parameter name="key">value</parameter>…</invoke>`, several invokes to a block. Values are
 * text; each is read by the type its tool's schema gives the parameter, as MiniMax's reference parser does (a
 * string stays text, numbers, booleans, objects and arrays are converted, `null` is null, a parameter the schema
 * does not know stays text). An invoke not closed (the answer ended inside it) is not a call: it is counted in
 * `cut`, so a half-written command is never run.
 *
 * Values are not escaped, so one may contain `</parameter>` or `</invoke>` (a coding agent writing an XML file, or
 * this file, through `Write`): each element is read to the last closing tag before the next element's opening
 * tag (see `elements`), not to the first. The block is whole when read (the reader holds it until it closes or the
 * answer ends), so that last closing tag is known.
 */
export function parseMinimaxCalls(block: string, schemas: ParameterSchemas): { calls: MarkupCall[]; cut: boolean } {
  const invokes = elements(block, INVOKE, INVOKE_END);
  const last = invokes.at(-1);
  const lastCut = last !== undefined && (last.end < 0 || !endsCleanly(block.slice(last.end).trim()));
  const calls: MarkupCall[] = [];
  for (const invoke of lastCut ? invokes.slice(0, -1) : invokes) {
    if (invoke.name === '') continue;
    const properties = schemas(invoke.name);
    const args: Record<string, unknown> = {};
    for (const parameter of elements(invoke.body, PARAMETER, PARAMETER_END)) {
      // A parameter never closed (the model left its invoke without one) is left out, as it always was.
      if (parameter.end < 0) continue;
      const type = (properties?.[parameter.name] as { type?: unknown } | undefined)?.type;
      args[parameter.name] = convertValue(parameter.body.trim(), typeof type === 'string' ? type : 'string');
    }
    calls.push({ name: invoke.name, arguments: JSON.stringify(args) });
  }
  // An invoke begun after the last one read (the answer ended inside its opening tag) is cut too.
  return { calls, cut: lastCut || block.includes('<invoke', Math.max(0, last?.end ?? 0)) };
}

/**
 * Whether what follows the block's last `</invoke>` lets it end the invoke: only nothing, or the start of a tag the
 * answer ended inside, may follow. Other text means that `</invoke>` was text of a value that went on (the answer
 * ended inside it, or it quoted `</minimax:tool_call>`, which ends the block early): the invoke is cut, never run
 * with part of its value.
 */
function endsCleanly(rest: string): boolean {
  return rest === '' || '<invoke'.startsWith(rest) || /^<invoke\b[^>]*$/.test(rest) || BLOCK_END.startsWith(rest);
}

/** An element of the markup: its name, the text between its tags, and where its closing tag ends (-1: none). */
interface Element {
  name: string;
  body: string;
  end: number;
}

/**
 * The elements `text` holds, found by their opening tags (`open`, the name captured): each runs to the last
 * `close` before the next opening tag — the model writes a closing tag only once its value is over, so an earlier
 * one is text of the value. An opening tag that no `close` comes before (since the element began) is text of the
 * value too. Only the last element can be left without a `close` (then `end` is -1 and `body` runs to the end).
 */
function elements(text: string, open: RegExp, close: string): Element[] {
  const starts = [...text.matchAll(open)];
  const found: Element[] = [];
  for (let at = 0; at < starts.length; ) {
    const head = starts[at]!;
    const from = head.index + head[0].length;
    const firstClose = text.indexOf(close, from);
    let next = at + 1;
    while (next < starts.length && (firstClose < 0 || starts[next]!.index < firstClose)) next += 1;
    const end = firstClose < 0 ? -1 : text.lastIndexOf(close, (starts[next]?.index ?? text.length) - close.length);
    found.push({ name: unquote(head[1]!), body: text.slice(from, end < 0 ? text.length : end), end: end < 0 ? -1 : end + close.length });
    at = next;
  }
  return found;
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
