import { describe, expect, it } from 'vitest';
import { Cancellation, type CancelSignal } from './cancellation.js';

describe('Cancellation', () => {
  it('runs each listener once, in order, when aborted, and reports aborted from then on', () => {
    const cancellation = new Cancellation();
    const calls: string[] = [];
    cancellation.addEventListener('abort', () => calls.push('a'));
    cancellation.addEventListener('abort', () => calls.push('b'));
    expect(cancellation.aborted).toBe(false);
    cancellation.abort();
    cancellation.abort();
    expect(calls).toEqual(['a', 'b']);
    expect(cancellation.aborted).toBe(true);
  });

  it('never runs a removed listener, nor one added after the abort', () => {
    const cancellation = new Cancellation();
    const calls: string[] = [];
    const removed = () => calls.push('removed');
    cancellation.addEventListener('abort', removed);
    cancellation.removeEventListener('abort', removed);
    cancellation.removeEventListener('abort', () => undefined); // unknown listeners are ignored
    cancellation.abort();
    cancellation.addEventListener('abort', () => calls.push('late'));
    expect(calls).toEqual([]);
  });

  it('is interchangeable with an AbortSignal where a CancelSignal is taken', () => {
    const controller = new AbortController();
    const signals: CancelSignal[] = [controller.signal, new Cancellation()];
    let fired = 0;
    for (const signal of signals) signal.addEventListener('abort', () => fired++);
    controller.abort();
    expect(fired).toBe(1);
    expect(signals[0]!.aborted).toBe(true);
  });
});
