import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { lazyRequestLogger } from './request-logger.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const parent = pino({ level: 'info', base: undefined, timestamp: false }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { parent, lines };
}

describe('lazyRequestLogger', () => {
  it('makes no pino child until something logs through it', () => {
    const { parent } = capture();
    const child = vi.spyOn(parent, 'child');
    const log = lazyRequestLogger(parent, { request_id: 'r1' }, {});
    expect(log.level).toBe('info');
    expect(child).not.toHaveBeenCalled();
    log.warn('first');
    log.error('second');
    expect(child).toHaveBeenCalledTimes(1);
  });

  it('writes what the child would: the bindings first, then the fields', () => {
    const { parent, lines } = capture();
    const log = lazyRequestLogger(parent, { request_id: 'r1' }, {});
    log.warn({ retry: 1 }, 'retrying upstream request');
    log.debug('below the level');
    log.child({ part: 'relay' }).info('nested');
    expect(lines).toEqual([
      { level: 40, request_id: 'r1', retry: 1, msg: 'retrying upstream request' },
      { level: 30, request_id: 'r1', part: 'relay', msg: 'nested' },
    ]);
  });

  it('takes a level of its own', () => {
    const { parent, lines } = capture();
    const log = lazyRequestLogger(parent, { request_id: 'r1' }, { level: 'debug' });
    expect(log.level).toBe('debug');
    log.debug('shown');
    expect(lines).toEqual([{ level: 20, request_id: 'r1', msg: 'shown' }]);
  });
});
