import { describe, expect, it } from 'vitest';
import { formatSseComment, formatSseData, SSE_DONE, sseDataLineValue } from './format-sse.js';
import { parseSse } from './parse-sse.js';

describe('formatSseData', () => {
  it('frames single-line data as one data line', () => {
    expect(formatSseData('{"a":1}')).toBe('data: {"a":1}\n\n');
    expect(SSE_DONE).toBe('data: [DONE]\n\n');
  });

  it('splits multi-line data so a parser gets back exactly the same text', async () => {
    const data = 'one\ntwo\r\nthree';
    const framed = formatSseData(data);
    expect(framed).toBe('data: one\ndata: two\ndata: three\n\n');
    const events = [];
    for await (const event of parseSse([framed])) events.push(event);
    expect(events[0]?.data).toBe('one\ntwo\nthree');
  });

  it('keeps comments on one line', () => {
    expect(formatSseComment('keep\nalive')).toBe(': keep alive\n\n');
  });
});

describe('sseDataLineValue', () => {
  it('reads back what formatSseData wrote, line by line, and drops only one space after the colon', () => {
    const lines = formatSseData('{"a":1}\n  indented').trimEnd().split('\n');
    expect(lines.map(sseDataLineValue)).toEqual(['{"a":1}', '  indented']);
    expect(sseDataLineValue('data:{"b":2}')).toBe('{"b":2}');
    expect(sseDataLineValue('data:  two')).toBe(' two');
  });
});
