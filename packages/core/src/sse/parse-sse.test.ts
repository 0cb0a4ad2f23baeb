import { describe, expect, it } from 'vitest';
import { parseSse, parseSseBatches } from './parse-sse.js';

async function collect(chunks: (string | Uint8Array)[]) {
  async function* source() {
    yield* chunks;
  }
  const events = [];
  for await (const event of parseSse(source())) events.push(event);
  return events;
}

/** Every way of cutting `text` into two pieces, plus one byte at a time. */
function splits(text: string): Uint8Array[][] {
  const bytes = new TextEncoder().encode(text);
  const out: Uint8Array[][] = [[...bytes].map((byte) => Uint8Array.of(byte))];
  for (let cut = 1; cut < bytes.length; cut++) out.push([bytes.subarray(0, cut), bytes.subarray(cut)]);
  return out;
}

describe('parseSse', () => {
  it('reads data events and the [DONE] sentinel', async () => {
    const events = await collect(['data: {"a":1}\n\ndata: [DONE]\n\n']);
    expect(events.map((event) => event.data)).toEqual(['{"a":1}', '[DONE]']);
  });

  it('gives the same events however the bytes are cut, including inside a UTF-8 sequence', async () => {
    const text = 'data: {"content":"héllo 🌍"}\r\n\r\n: keep-alive comment\n\nevent: message\nid: 7\ndata: line one\ndata: line two\n\ndata: [DONE]\n\n';
    for (const chunks of splits(text)) {
      const events = await collect(chunks);
      expect(events).toEqual([
        { data: '{"content":"héllo 🌍"}', event: undefined, id: undefined },
        { data: 'line one\nline two', event: 'message', id: '7' },
        { data: '[DONE]', event: undefined, id: undefined },
      ]);
    }
  });

  it('handles bare CR line endings', async () => {
    const events = await collect(['data: a\r\rdata: b\r\r']);
    expect(events.map((event) => event.data)).toEqual(['a', 'b']);
  });

  it('skips comments and keeps a last event that lacks its blank line', async () => {
    const events = await collect([': ping\n\n', 'data: tail']);
    expect(events.map((event) => event.data)).toEqual(['tail']);
  });

  it('reads a single data line over 1 MiB', async () => {
    const big = 'x'.repeat(1_200_000);
    const text = `data: {"content":"${big}"}\n\n`;
    const pieces = [];
    for (let i = 0; i < text.length; i += 65_536) pieces.push(text.slice(i, i + 65_536));
    const events = await collect(pieces);
    expect(events).toHaveLength(1);
    expect(events[0]?.data.length).toBe(big.length + 14);
  });
});

describe('parseSseBatches', () => {
  it('groups the events each chunk completed, and skips chunks that completed none', async () => {
    const chunks = ['data: a\n\ndata: b\n\ndata: c', '\n\n', ': comment only\n\n', 'data: d\n\ndata: [DONE]\n\n'];
    const batches = [];
    for await (const batch of parseSseBatches(chunks)) batches.push(batch.map((event) => event.data));
    expect(batches).toEqual([['a', 'b'], ['c'], ['d', '[DONE]']]);
  });

  it('yields a last event that lacks its blank line as a batch of its own', async () => {
    const batches = [];
    for await (const batch of parseSseBatches(['data: a\n\ndata: tail'])) batches.push(batch.map((event) => event.data));
    expect(batches).toEqual([['a'], ['tail']]);
  });
});
