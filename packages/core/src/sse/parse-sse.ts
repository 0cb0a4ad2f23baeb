import { createParser } from 'eventsource-parser';
import type { SseEvent } from './sse-event.js';

/**
 * Turns a byte stream into SSE events. eventsource-parser handles CRLF/CR/LF, comments, multi-line `data`,
 * `id`/`event` fields and chunk boundaries anywhere, including inside a UTF-8 sequence (via the streaming decoder).
 */
export async function* parseSse(
  body: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
): AsyncGenerator<SseEvent> {
  for await (const batch of parseSseBatches(body)) yield* batch;
}

/**
 * The events of parseSse grouped by the chunk that completed them: one non-empty array per chunk that ended at
 * least one event, so a relay can forward everything one network read brought with one write.
 */
export async function* parseSseBatches(
  body: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
): AsyncGenerator<SseEvent[]> {
  const decoder = new TextDecoder();
  let pending: SseEvent[] = [];
  const parser = createParser({
    onEvent(event) {
      pending.push({ data: event.data, event: event.event, id: event.id });
    },
  });
  for await (const chunk of body) {
    parser.feed(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
    if (pending.length) {
      const ready = pending;
      pending = [];
      yield ready;
    }
  }
  parser.feed(decoder.decode());
  // A stream that ends without a blank line still delivered its last event; don't drop it.
  parser.feed('\n\n');
  if (pending.length) yield pending;
}
