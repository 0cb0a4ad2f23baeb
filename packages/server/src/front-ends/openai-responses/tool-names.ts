/** A tool as the client named it: its function name and, for a tool of a `namespace` group, that group's name. */
export interface ClientToolName {
  readonly name: string;
  readonly namespace?: string | undefined;
}

const VALID = /^[a-zA-Z0-9_-]{1,64}$/;
const MAX = 64;

/**
 * The names NIM sees for the client's tools, and the way back. NIM (and the chat templates behind it) takes plain
 * function names matching `^[a-zA-Z0-9_-]{1,64}$` and no `namespace` groups, so a namespaced tool becomes
 * `<namespace>__<name>` and any other name is made valid; the answer's tool calls are mapped back, so the client
 * sees only its own names. Names that are already valid and plain stay as they are (nearly every tool).
 */
export class ToolNames {
  private readonly toFlat = new Map<string, string>();
  private readonly fromFlat = new Map<string, ClientToolName>();

  /** The name NIM sees; the same client name always gets the same flat name. */
  flatten(name: string, namespace?: string | null): string {
    const key = namespace ? `${namespace}\u0000${name}` : name;
    const known = this.toFlat.get(key);
    if (known !== undefined) return known;
    let flat = namespace ? `${namespace}__${name}` : name;
    if (!VALID.test(flat)) flat = shorten(flat.replace(/[^a-zA-Z0-9_-]/g, '_') || 'tool');
    for (let n = 2; this.fromFlat.has(flat); n += 1) flat = shorten(`${flat.slice(0, MAX - 4)}_${n}`);
    this.toFlat.set(key, flat);
    this.fromFlat.set(flat, namespace ? { name, namespace } : { name });
    return flat;
  }

  /** The client's name for a name NIM answered with; a name the proxy never sent comes back as it is. */
  original(flat: string): ClientToolName {
    return this.fromFlat.get(flat) ?? { name: flat };
  }

  /** Whether any name differs from the client's: when none does, the answer needs no mapping. */
  get renamed(): boolean {
    for (const [flat, client] of this.fromFlat) if (flat !== client.name || client.namespace) return true;
    return false;
  }
}

/** Cut to 64 characters, keeping a hash of the whole so two long names stay apart. */
function shorten(name: string): string {
  if (name.length <= MAX) return name;
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i += 1) hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193);
  return `${name.slice(0, MAX - 9)}_${(hash >>> 0).toString(16).padStart(8, '0')}`;
}
