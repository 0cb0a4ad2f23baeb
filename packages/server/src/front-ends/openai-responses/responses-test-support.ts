import type { ExchangeContext, ModelSettings } from '../../exchange/front-end.js';

export interface LoggedLine {
  level: 'warn' | 'debug';
  fields: Record<string, unknown>;
  message: string;
}

/** An ExchangeContext for unit tests, with the lines it logged. */
export function testContext(modelSettings: ModelSettings = {}, overrides: Partial<ExchangeContext> = {}): ExchangeContext & { lines: LoggedLine[] } {
  const lines: LoggedLine[] = [];
  return {
    requestId: 'req123',
    clientModel: 'nvidia:moonshotai/kimi-k2',
    backend: 'nvidia',
    upstreamModel: 'moonshotai/kimi-k2',
    modelSettings,
    created: 1_800_000_000,
    log: {
      warn: (fields, message) => lines.push({ level: 'warn', fields, message }),
      debug: (fields, message) => lines.push({ level: 'debug', fields, message }),
    },
    ...overrides,
    lines,
  };
}

/** Chat chunks as the SSE bytes NIM sends, `[DONE]` last unless `done` is false. */
export function chatSse(chunks: readonly unknown[], done = true): string {
  return chunks.map((chunk) => `data: ${JSON.stringify(chunk)}\n\n`).join('') + (done ? 'data: [DONE]\n\n' : '');
}

/** A chat chunk with one choice. */
export function chunk(delta: Record<string, unknown>, finishReason: string | null = null, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: finishReason }], ...extra };
}

export interface ResponsesEvent {
  type: string;
  sequence_number: number;
  [key: string]: unknown;
}

/** The events of a Responses SSE body, checking that each `event:` line names its data's `type`. */
export function parseResponsesSse(text: string): ResponsesEvent[] {
  const events: ResponsesEvent[] = [];
  for (const block of text.split('\n\n')) {
    const lines = block.split('\n').filter((line) => line !== '' && !line.startsWith(':'));
    if (lines.length === 0) continue;
    const name = lines.find((line) => line.startsWith('event: '))?.slice(7);
    const data = lines.filter((line) => line.startsWith('data: ')).map((line) => line.slice(6)).join('\n');
    const event = JSON.parse(data) as ResponsesEvent;
    if (name !== event.type) throw new Error(`event line '${name}' names a '${event.type}' event`);
    events.push(event);
  }
  return events;
}
