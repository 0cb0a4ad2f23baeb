/** A strict-enough SSE reader for tests: events' data (joined lines) and comment lines, in order. */
export interface ParsedSse {
  data: string[];
  comments: string[];
  /** Lines that are neither a field nor a comment. */
  garbage: string[];
}

export function parseSse(text: string): ParsedSse {
  const parsed: ParsedSse = { data: [], comments: [], garbage: [] };
  let buffer: string[] = [];
  for (const line of text.split(/\r\n|\n|\r/)) {
    if (line === '') {
      if (buffer.length > 0) parsed.data.push(buffer.join('\n'));
      buffer = [];
    } else if (line.startsWith(':')) {
      parsed.comments.push(line.slice(1).trim());
    } else if (line.startsWith('data:')) {
      buffer.push(line.slice(5).replace(/^ /, ''));
    } else {
      parsed.garbage.push(line);
    }
  }
  return parsed;
}

export interface StreamChunk {
  id?: unknown;
  object?: string;
  model?: string;
  choices?: Array<{
    index: number;
    delta: {
      role?: string;
      content?: string;
      reasoning_content?: string;
      tool_calls?: Array<{ index: number; id?: unknown; type?: string; function?: { name?: string; arguments?: string } }>;
    };
    finish_reason: string | null;
  }>;
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

/** The JSON chunks of a chat-completions stream (everything before `[DONE]`). */
export function streamChunks(text: string): StreamChunk[] {
  const { data } = parseSse(text);
  const done = data.indexOf('[DONE]');
  return data.slice(0, done === -1 ? undefined : done).map((item) => JSON.parse(item) as StreamChunk);
}

export function deltaText(chunks: readonly StreamChunk[], field: 'content' | 'reasoning_content'): string {
  return chunks.map((chunk) => chunk.choices?.[0]?.delta[field] ?? '').join('');
}
