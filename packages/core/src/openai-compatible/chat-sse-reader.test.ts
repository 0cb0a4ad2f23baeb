import { describe, expect, it } from 'vitest';
import { formatSseData } from '../sse/format-sse.js';
import { parseSse } from '../sse/parse-sse.js';
import { StreamUsageTracker } from '../usage/stream-usage-tracker.js';
import { ChatSseReader } from './chat-sse-reader.js';
import { isPlainDataFrames } from './scan-frames.js';
import type { ChatSseRead } from './chat-stream-read.js';

const chunk = (content: string) => JSON.stringify({ id: 'c', choices: [{ index: 0, delta: { content } }] });
const usageOnly = JSON.stringify({ id: 'c', choices: [], usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } });
const frames = (...data: string[]) => data.map((item) => `data: ${item}\n\n`).join('');

/** A reader, and what a relay sends of each read for a client that did or did not ask for usage. */
function reframer(includeUsage = false) {
  const tracker = new StreamUsageTracker();
  const reader = new ChatSseReader(tracker);
  const sent = (read: ChatSseRead | undefined) => (read === undefined ? '' : includeUsage ? read.bytes : read.withoutUsageOnly());
  return {
    tracker,
    reader,
    reframer: {
      push: (chunk: Buffer) => sent(reader.push(chunk)),
      end: () => sent(reader.end()),
      get done() {
        return reader.done;
      },
    },
  };
}

/** Feeds `reads` and returns the text a client would be sent (before the proxy's own [DONE]). */
function run(reads: (string | Buffer)[], includeUsage = false): { out: string; done: boolean; forwarded: number } {
  const { reframer: subject } = reframer(includeUsage);
  let out = '';
  let forwarded = 0;
  for (const read of reads) {
    const buffer = typeof read === 'string' ? Buffer.from(read) : read;
    const result = subject.push(buffer);
    if (result === buffer) forwarded++;
    out += Buffer.from(result).toString();
  }
  out += subject.end();
  return { out, done: subject.done, forwarded };
}

describe('isPlainDataFrames', () => {
  it('accepts whole data-only events and rejects anything the proxy must act on or re-frame', () => {
    expect(isPlainDataFrames(Buffer.from(frames(chunk('a'), chunk('b'))))).toBe(true);
    for (const text of [
      `data: a\ndata: b\n\n`, // multi-line: parsed, so its joined data can be checked
      `data: not json\n\n`,
      `data: ${chunk('a')}\n`, // not at an event boundary
      `data: ${chunk('a')}\r\n\r\n`,
      `: keepalive\n\ndata: x\n\n`,
      `event: error\ndata: x\n\n`,
      frames(usageOnly),
      frames('[DONE]'),
      `da`,
    ]) {
      expect(isPlainDataFrames(Buffer.from(text)), JSON.stringify(text)).toBe(false);
    }
    expect(isPlainDataFrames(Buffer.concat([Buffer.from('data: '), Buffer.from([0xff, 0xfe]), Buffer.from('\n\n')]))).toBe(false);
  });
});

describe('ChatSseReader', () => {
  it('forwards plain reads as the very same Buffer', () => {
    const { reframer: subject } = reframer();
    const read = Buffer.from(frames(chunk('a'), chunk('b')));
    expect(subject.push(read)).toBe(read);
  });

  it('stops at [DONE], leaving out it and everything after it', () => {
    const result = run([frames(chunk('a')), frames(chunk('b'), '[DONE]', chunk('late'))]);
    expect(result).toEqual({ out: frames(chunk('a'), chunk('b')), done: true, forwarded: 1 });
  });

  it('reads usage, and drops usage-only frames unless the client asked for them', () => {
    const { reframer: subject, tracker } = reframer(false);
    expect(Buffer.from(subject.push(Buffer.from(frames(chunk('a'), usageOnly)))).toString()).toBe(frames(chunk('a')));
    expect(tracker.usage).toEqual({ promptTokens: 3, completionTokens: 2, totalTokens: 5 });
    expect(run([frames(chunk('a'), usageOnly)], true).out).toBe(frames(chunk('a'), usageOnly));
  });

  it("gives NIM's usage-only frame without a choices key an empty choices list, however the stream is framed or split", () => {
    // OpenAI's usage chunk has `choices: []`: the openai SDK's stream helper iterates `chunk.choices` and the Vercel
    // AI SDK's chunk schema requires it, so a frame with none threw there.
    const bare = JSON.stringify({ id: 'c', usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } });
    const repaired = JSON.stringify({ id: 'c', usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 }, choices: [] });
    const stream = frames(chunk('a'), bare, '[DONE]');
    for (let cut = 1; cut < stream.length; cut += 3) {
      for (const crlf of [false, true]) {
        const text = crlf ? stream.replaceAll('\n', '\r\n') : stream;
        const { reframer: subject, tracker } = reframer(true);
        const out = [text.slice(0, cut), text.slice(cut)].map((part) => Buffer.from(subject.push(Buffer.from(part))).toString()).join('');
        expect(out, `cut at ${cut}${crlf ? ', CRLF' : ''}`).toBe(frames(chunk('a'), repaired));
        expect(tracker.usage?.totalTokens).toBe(5);
      }
    }
    const { reframer: dropping } = reframer(false);
    expect(Buffer.from(dropping.push(Buffer.from(stream))).toString()).toBe(frames(chunk('a')));
  });

  it('re-frames CRLF, comments and other fields as plain data events', () => {
    expect(run([`: ping\r\n\r\nevent: message\r\nid: 7\r\ndata: ${chunk('a')}\r\n\r\n`]).out).toBe(frames(chunk('a')));
  });

  it('ignores a byte-order mark that opens the stream, even one split across reads', () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    const stream = Buffer.concat([bom, Buffer.from(frames(chunk('a'), chunk('b'), '[DONE]'))]);
    expect(run([stream]).out).toBe(frames(chunk('a'), chunk('b')));
    expect(run([stream.subarray(0, 2), stream.subarray(2)]).out).toBe(frames(chunk('a'), chunk('b')));
    // Only at the very start: later U+FEFF characters are content.
    expect(run([frames(chunk('a')), `data: \uFEFF${chunk('b')}\n\n`]).out).toBe(frames(chunk('a'), `\uFEFF${chunk('b')}`));
  });

  it('keeps a last event that ends without its blank line', () => {
    expect(run([`data: ${chunk('a')}\n\ndata: ${chunk('tail')}`]).out).toBe(frames(chunk('a'), chunk('tail')));
  });

  it('sends the events before a dropped usage frame and [DONE] as a slice of the read, not a copy', () => {
    const { reframer: subject, tracker } = reframer();
    const read = Buffer.from(frames(chunk('a'), chunk('b'), usageOnly, '[DONE]'));
    const out = subject.push(read);
    expect(Buffer.isBuffer(out) && out.buffer === read.buffer && out.byteOffset === read.byteOffset).toBe(true);
    expect(out.toString()).toBe(frames(chunk('a'), chunk('b')));
    expect(subject.done).toBe(true);
    expect(tracker.usage?.totalTokens).toBe(5);
  });

  it('returns to forwarding once a split event has been completed', () => {
    const whole = frames(chunk('a'));
    const result = run([whole.slice(0, 10), whole.slice(10), frames(chunk('b'))]);
    expect(result.out).toBe(frames(chunk('a'), chunk('b')));
    expect(result.forwarded).toBe(1);
  });

  it('gives the same events as a full parse however the stream is split, even inside a UTF-8 sequence', async () => {
    const stream = Buffer.from(
      `data: ${chunk('héllo ✓')}\n\n: comment\n\ndata: ${chunk('b')}\r\n\r\ndata: ${usageOnly}\n\ndata: ${chunk('🎉')}\n\ndata: [DONE]\n\n`,
    );
    const expected: string[] = [];
    for await (const event of parseSse([stream])) {
      if (event.data === '[DONE]') break;
      if (event.data !== usageOnly) expected.push(formatSseData(event.data));
    }
    for (let first = 1; first < stream.length; first += 3) {
      for (const second of [first + 1, first + 17, stream.length - 1]) {
        if (second <= first || second >= stream.length) continue;
        const reads = [stream.subarray(0, first), stream.subarray(first, second), stream.subarray(second)];
        const result = run(reads);
        expect(result.out, `split at ${first}/${second}`).toBe(expected.join(''));
        expect(result.done).toBe(true);
      }
    }
  });

  it('reads usage frames and [DONE] without the parser, with the same result however the stream is split', async () => {
    const usageAndChoice = JSON.stringify({ id: 'c', choices: [{ index: 0, delta: {} }], usage: { prompt_tokens: 3, completion_tokens: 4 } });
    const stream = Buffer.from(
      frames(chunk('a'), usageOnly, chunk('b ✓'), usageAndChoice) + `data: {"id":"m",\ndata: "x":1}\n\n\ndata:${chunk('d')}\n\n` + frames('[DONE]', chunk('late')),
    );
    for (const includeUsage of [false, true]) {
      const expected: string[] = [];
      for await (const event of parseSse([stream])) {
        if (event.data === '[DONE]') break;
        if (includeUsage || event.data !== usageOnly) expected.push(formatSseData(event.data));
      }
      const whole = run([stream], includeUsage);
      // Sent as the upstream framed them: compared as events, since `data:x` and `data: x` are the same event.
      const eventsOf = async (text: string) => {
        const events: string[] = [];
        for await (const event of parseSse([Buffer.from(text)])) events.push(formatSseData(event.data));
        return events.join('');
      };
      expect(await eventsOf(whole.out)).toBe(expected.join(''));
      expect(whole.done).toBe(true);
      for (let first = 1; first < stream.length; first += 5) {
        const result = run([stream.subarray(0, first), stream.subarray(first)], includeUsage);
        expect(await eventsOf(result.out), `split at ${first}`).toBe(expected.join(''));
        expect(result.done).toBe(true);
      }
    }
  });

  it('counts usage read without the parser and keeps the read as it is around the frames it leaves out', () => {
    const { reframer: subject, tracker } = reframer(false);
    const read = Buffer.from(frames(chunk('a'), usageOnly, chunk('b')));
    expect(Buffer.from(subject.push(read)).toString()).toBe(frames(chunk('a'), chunk('b')));
    expect(tracker.usage).toEqual({ promptTokens: 3, completionTokens: 2, totalTokens: 5 });
    const kept = reframer(true);
    expect(kept.reframer.push(read)).toBe(read);
    expect(kept.tracker.usage).toEqual({ promptTokens: 3, completionTokens: 2, totalTokens: 5 });
  });

  it('splits a read into its events only when asked, with their JSON and usage', () => {
    const { reader } = reframer();
    const read = reader.push(Buffer.from(frames(chunk('a'), usageOnly) + `data: {"multi":\ndata: 1}\n\n`))!;
    const events = read.events;
    expect(events.map((event) => event.data)).toEqual([chunk('a'), usageOnly, '{"multi":\n1}']);
    expect(events.map((event) => event.usageOnly)).toEqual([false, true, false]);
    expect(events[0]!.json).toEqual({ id: 'c', choices: [{ index: 0, delta: { content: 'a' } }] });
    expect(events[1]!.usage).toEqual({ promptTokens: 3, completionTokens: 2, totalTokens: 5 });
    expect(events[2]!.json).toEqual({ multi: 1 });
    expect(read.events).toBe(events);
  });

  it('gives events of re-framed reads too', () => {
    const { reader } = reframer();
    const read = reader.push(Buffer.from(`: ping\r\n\r\ndata: ${chunk('a')}\r\n\r\n`))!;
    expect(read.events.map((event) => event.data)).toEqual([chunk('a')]);
  });

  it('refuses an event that is not a JSON chunk, never passing it on, however it is framed or split', () => {
    for (const stream of [`data: ${chunk('a')}\n\ndata: not json\n\n`, `data: ${chunk('a')}\r\n\r\ndata: {"cut":\r\n\r\n`, `data: ${chunk('a')}\n\ndata: {"a":\ndata: 1\n\n`]) {
      for (let cut = 1; cut < stream.length; cut += 7) {
        const { reader } = reframer();
        const sent: string[] = [];
        const attempt = () => {
          for (const piece of [stream.slice(0, cut), stream.slice(cut)]) {
            const read = reader.push(Buffer.from(piece));
            if (read) sent.push(Buffer.from(read.bytes).toString());
          }
          reader.end();
        };
        expect(attempt, JSON.stringify(stream)).toThrow(expect.objectContaining({ status: 502, code: 'upstream_invalid_response' }));
        expect(sent.join('')).not.toContain('json');
        expect(sent.join('')).not.toContain('cut');
      }
    }
  });

  it('refuses a body that opens as JSON or markup, after blank lines or a byte-order mark, in whichever read they come', () => {
    for (const pieces of [['{"error":"x"}'], ['\n', '\r\n{"a":1}'], ['\uFEFF', '<html>'], ['  [1]']]) {
      const { reader } = reframer();
      const attempt = () => {
        for (const piece of pieces) reader.push(Buffer.from(piece));
      };
      expect(attempt, JSON.stringify(pieces)).toThrow(expect.objectContaining({ status: 502, code: 'upstream_invalid_response', message: expect.stringContaining('not an event stream') }));
    }
    // An event stream may open with blank lines, a comment, or another field.
    for (const opening of ['\n\n', ': ok\n\n', 'event: message\n', 'id: 1\n', 'retry: 5\n']) {
      const { reader } = reframer();
      expect(() => reader.push(Buffer.from(`${opening}data: ${chunk('a')}\n\n`))).not.toThrow();
    }
  });

  it('refuses an event that grows past the cap instead of buffering it', () => {
    const { reader } = reframer();
    const piece = Buffer.alloc(1024 * 1024, 'x');
    reader.push(Buffer.from('data: {"content":"'));
    expect(() => {
      for (let i = 0; i < 20; i++) reader.push(piece);
    }).toThrow(expect.objectContaining({ status: 502, code: 'upstream_response_too_large' }));
  });

  it('notes a finish_reason with a value, not a null one', () => {
    const { reader } = reframer();
    reader.push(Buffer.from(frames(JSON.stringify({ choices: [{ index: 0, delta: { content: 'a' }, finish_reason: null }] }))));
    expect(reader.sawFinishReason).toBe(false);
    reader.push(Buffer.from(frames(JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }))));
    expect(reader.sawFinishReason).toBe(true);
    const spaced = reframer();
    spaced.reader.push(Buffer.from('data: {"choices":[{"finish_reason": "length"}]}\r\n\r\n'));
    expect(spaced.reader.sawFinishReason).toBe(true);
  });

});
