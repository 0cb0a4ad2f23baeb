import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loggerOptions } from '../http/logger-options.js';
import { number, RequestLineWriter, type RequestLineFields } from './request-line.js';

// The writer must produce exactly what pino writes for `log[level](fields, 'request completed')` with the
// server's own logger options: both write into one capture here, with the clock frozen.
function pair(level: 'info' | 'debug' = 'info') {
  const lines: string[] = [];
  const destination = { write: (line: string) => void lines.push(line) };
  const logger = pino(loggerOptions(level, destination) as pino.LoggerOptions, destination);
  return { lines, logger, writer: new RequestLineWriter(logger, destination) };
}

const base: RequestLineFields = { request_id: 'r1', method: 'POST', route: '/v1/chat/completions', status: 200, latency_ms: 12.3 };

const cases: [string, RequestLineFields][] = [
  ['an unrouted request', { ...base, route: 'unmatched', status: 404 }],
  [
    'a routed request with usage',
    { ...base, backend: 'nvidia', model: 'meta/llama3-70b-instruct', stream: true, prompt_tokens: 12, completion_tokens: 20, total_tokens: 32 },
  ],
  ['a routed request without usage', { ...base, backend: 'nv', model: 'm', stream: false, prompt_tokens: undefined, completion_tokens: undefined, total_tokens: undefined }],
  ['an error with a code', { ...base, status: 401, error_type: 'authentication_error', error_code: 'missing_api_key' }],
  ['an error with a null code', { ...base, status: 422, backend: 'nv', model: 'm', stream: true, error_type: 'invalid_request_error', error_code: null }],
  ['strings that need escaping', { ...base, backend: 'b"\\', model: 'tab\tnew\nline \u0001 é 中 \u2028 😀', request_id: 'a"b' }],
  ['non-ASCII without escapes', { ...base, model: 'modèle 中 😀 \u2028' }],
  ['a long string', { ...base, model: 'x'.repeat(150) + '"' }],
  ['plain strings of every character quoted as they are', { ...base, backend: '', model: 'Meta/Llama-3.1_70b:instruct v2.0,+@x' }],
  ['non-finite numbers', { ...base, latency_ms: Number.NaN, prompt_tokens: Number.POSITIVE_INFINITY }],
];

describe('RequestLineWriter', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_796_000_000_123, toFake: ['Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it.each(cases)('writes what pino writes: %s', (_name, fields) => {
    const { lines, logger, writer } = pair();
    logger.info(fields, 'request completed');
    writer.write('info', fields);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe(lines[0]);
    expect(lines[1]).toMatch(/^\{"level":30,"time":1796000000123,"pid":\d+,"hostname":/);
  });

  it('writes the time of each line, when the clock moves on between lines too', () => {
    const { lines, logger, writer } = pair();
    for (const now of [1_796_000_000_123, 1_796_000_000_123, 1_796_000_000_124, 1_796_000_001_000]) {
      vi.setSystemTime(now);
      writer.write('info', base);
      logger.info(base, 'request completed');
      expect(lines.at(-2)).toBe(lines.at(-1));
      expect(lines.at(-1)).toContain(`"time":${now},`);
    }
  });

  it('honours the level, also when it changes at run time', () => {
    const { lines, logger, writer } = pair('info');
    writer.write('debug', base);
    expect(lines).toEqual([]);
    logger.level = 'debug';
    writer.write('debug', base);
    logger.debug(base, 'request completed');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe(lines[1]);
    expect(lines[0]).toMatch(/^\{"level":20,/);
    logger.level = 'warn';
    writer.write('info', base);
    expect(lines).toHaveLength(2);
  });

  it("keeps a child logger's bindings", () => {
    const { lines, logger } = pair();
    const child = logger.child({ component: 'x' });
    const destination = { write: (line: string) => void lines.push(line) };
    new RequestLineWriter(child, destination).write('info', base);
    child.info(base, 'request completed');
    expect(lines[0]).toContain('"component":"x"');
    expect(lines[0]).toBe(lines[1]);
  });

  it('escapes a lone surrogate rather than letting it turn into U+FFFD', () => {
    const { lines, writer } = pair();
    writer.write('info', { ...base, model: 'a\ud800b' });
    expect(lines[0]).toContain('"model":"a\\ud800b"');
    expect((JSON.parse(lines[0]!) as { model: string }).model).toBe('a\ud800b');
  });
});

describe('number', () => {
  it('writes every number as JSON.stringify does, non-finite ones as null', () => {
    const values = [0, -0, 1, 7, 12.3, 0.1, 99.9, 100, 1234.5, 2.25, -1.5, 1e21, 1e-7, 123456789012345.6, 2 ** 53];
    for (let tenths = 0; tenths < 200_000; tenths += 7) values.push(tenths / 10);
    for (let i = 0; i < 10_000; i++) values.push(Math.round(Math.random() * 1e14) / 10, Math.random() * 1e6);
    for (const value of values) expect(number(value)).toBe(JSON.stringify(value));
    for (const value of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) expect(number(value)).toBe('null');
  });
});
