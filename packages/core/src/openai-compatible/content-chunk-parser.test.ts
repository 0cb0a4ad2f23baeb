import { describe, expect, it } from 'vitest';
import { ContentChunkParser } from './content-chunk-parser.js';

const head = '{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"m"';
const chunk = (content: string, tail = ',"finish_reason":null}]}') => `${head},"choices":[{"index":0,"delta":{"content":${JSON.stringify(content)}}${tail}`;

/** What the parser returns must be JSON.parse's answer, key order included. */
function expectSameAsJsonParse(parser: ContentChunkParser, data: string): unknown {
  let expected: unknown;
  try {
    expected = JSON.parse(data);
  } catch {
    expect(() => parser.parse(data)).toThrow(SyntaxError);
    return undefined;
  }
  const parsed = parser.parse(data);
  expect(parsed).toStrictEqual(expected);
  expect(JSON.stringify(parsed)).toBe(JSON.stringify(expected));
  return parsed;
}

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x7fffffff;
  };
}

describe('ContentChunkParser', () => {
  it('answers a stream of content chunks as JSON.parse does, each a fresh object', () => {
    const parser = new ContentChunkParser();
    const first = expectSameAsJsonParse(parser, `${head},"choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}`);
    const a = expectSameAsJsonParse(parser, chunk('Hello')) as { choices: { delta: { content: string } }[]; id: string };
    const b = expectSameAsJsonParse(parser, chunk(' wor"ld\\ \n é 🚀 \u0000')) as typeof a;
    expect(b).not.toBe(a);
    expect(b.choices).not.toBe(a.choices);
    // A consumer that rewrites what it got (the chat encoder fixing ids) changes nothing of what comes next.
    a.id = 'changed';
    a.choices[0]!.delta.content = 'changed';
    b.choices.push(b.choices[0]!);
    expect((expectSameAsJsonParse(parser, chunk('!')) as typeof a).id).toBe('chatcmpl-1');
    expectSameAsJsonParse(parser, `${head},"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}`);
    expectSameAsJsonParse(parser, `${head},"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}`);
    expect(first).toBeDefined();
  });

  it('parses whole what only looks like a learned chunk', () => {
    const parser = new ContentChunkParser();
    expectSameAsJsonParse(parser, chunk('learned'));
    for (const data of [
      chunk('a').replace('"content":"a"', '"content":"a","content":"b"'),
      chunk('a').replace('"content":"a"', '"content":"a","x":"b"'),
      chunk('a').replace('"content":"a"', '"content":1'),
      chunk('a').replace('"content":"a"', '"content":"a" '),
      chunk('a').replace('"content":"a"', '"content":"a\\"'),
      chunk('a').replace('"content":"a"', '"content":"\\u00e9\\ud83d\\ude80"'),
      chunk('a').replace('"content":"a"', '"content":""'),
      chunk('a').replace('"content":"a"', '"content":"a\\x"'),
      chunk('a', ',"finish_reason":"stop"}]}'),
      chunk('a').replace('1700000000', '1700000001'),
      chunk('a').replace('"content":"a"', '"content":"a"}},{"index":1,"delta":{"content":"b"'),
    ]) {
      expectSameAsJsonParse(parser, data);
    }
  });

  it('learns nothing from chunks whose copies could share or mislead', () => {
    for (const learnedFrom of [
      chunk('a').replace('"model":"m"', '"model":{"name":"m"}'),
      chunk('a', ',"logprobs":{"content":[]},"finish_reason":null}]}'),
      chunk('a').replace('"choices":', '"choices":[{"index":0,"delta":{"content":"x"}}],"choices":'),
      chunk('a').replace('{"content":"a"}', '{ "content":"a"}'),
      chunk('a').replace('{"content":"a"}', '{"content":"a","role":"assistant"}'),
    ]) {
      const parser = new ContentChunkParser();
      expectSameAsJsonParse(parser, learnedFrom);
      const next = learnedFrom.replace(/"a"/, '"b"');
      expectSameAsJsonParse(parser, next);
      const nested = expectSameAsJsonParse(parser, learnedFrom) as Record<string, unknown>;
      if (typeof nested.model === 'object') expect(nested.model).not.toBe((parser.parse(learnedFrom) as Record<string, unknown>).model);
    }
  });

  it('agrees with JSON.parse on random chunk streams', () => {
    const next = random(11);
    const pieces = ['a', 'é', '"', '\\', '\n', '🚀', ' ', '}', '{', '"content":', ',', '\u2028'];
    const tails = [',"finish_reason":null}]}', ',"logprobs":null,"finish_reason":null}]}', '}]}', ',"finish_reason":"stop"}]}'];
    for (let stream = 0; stream < 200; stream++) {
      const parser = new ContentChunkParser();
      const tail = tails[Math.floor(next() * tails.length)]!;
      for (let event = 0; event < 20; event++) {
        let content = '';
        for (let i = Math.floor(next() * 6); i > 0; i--) content += pieces[Math.floor(next() * pieces.length)];
        let data = chunk(content, next() < 0.1 ? tails[Math.floor(next() * tails.length)] : tail);
        const roll = next();
        // Now and then raw text that is not what JSON.stringify writes, or no JSON at all.
        if (roll < 0.05) data = data.replace('"content":"', '"content":"\\u0041');
        else if (roll < 0.08) data = data.slice(0, data.length - 3);
        else if (roll < 0.1) data = data.replace('"content":', '"content" :');
        expectSameAsJsonParse(parser, data);
      }
    }
  });
});
