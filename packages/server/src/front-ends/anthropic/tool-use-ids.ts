import { UniqueCallIds } from '../unique-call-ids.js';
import type { CountTokensRequest } from './messages-schema.js';

/**
 * The ids of one answer's tool_use blocks: NIM's own, unless the conversation already holds it or another call of
 * the answer took it, then `toolu_<request id>_<n>`. Given a call whose id an earlier turn already answered, Claude
 * Code took it for an interrupted one and ran it again and again (seen with an upstream that numbers every
 * answer's calls from 0).
 */
export class ToolUseIds extends UniqueCallIds {
  constructor(body: CountTokensRequest, requestId: string) {
    super(
      () => idsIn(body),
      (index) => `toolu_${requestId}_${index}`,
    );
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
