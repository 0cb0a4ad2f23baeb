import type { CountTokensRequest } from './messages-schema.js';

/**
 * The ids of one answer's tool_use blocks: NIM's own, unless the conversation already holds it or another call of
 * the answer took it, then `toolu_<request id>_<n>`. Clients key a tool's run and its result by this id, and NIM
 * sends ids that are not unique (numeric ids; DeepSeek's, GLM's and Kimi's own APIs were reported repeating ids):
 * given a call whose id an earlier turn already answered, Claude Code took it for an interrupted one and ran it
 * again and again (seen with an upstream that numbers every answer's calls from 0). The conversation's ids are
 * read once, at the answer's first tool call.
 */
export class ToolUseIds {
  readonly #body: CountTokensRequest;
  readonly #requestId: string;
  #taken: Set<string> | undefined;

  constructor(body: CountTokensRequest, requestId: string) {
    this.#body = body;
    this.#requestId = requestId;
  }

  /** The id for the call at `index` that NIM named `upstream` ('' for none). */
  for(upstream: string, index: number): string {
    const taken = (this.#taken ??= idsIn(this.#body));
    let id = upstream !== '' && !taken.has(upstream) ? upstream : `toolu_${this.#requestId}_${index}`;
    // A request id the client chose (x-request-id) may come back turn after turn, so the proxy's ids are checked too.
    for (let n = 1; taken.has(id); n++) id = `toolu_${this.#requestId}_${index}_${n}`;
    taken.add(id);
    return id;
  }
}

function idsIn(body: CountTokensRequest): Set<string> {
  const ids = new Set<string>();
  for (const message of body.messages) {
    if (typeof message.content === 'string') continue;
    for (const block of message.content) if (block.type === 'tool_use') ids.add(block.id);
  }
  return ids;
}
