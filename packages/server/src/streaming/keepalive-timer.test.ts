import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KeepaliveTimer } from './keepalive-timer.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('KeepaliveTimer', () => {
  it('ticks after each full interval of silence', () => {
    const tick = vi.fn();
    const timer = new KeepaliveTimer(tick, 100);
    timer.start();
    vi.advanceTimersByTime(99);
    expect(tick).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(tick).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(250);
    expect(tick).toHaveBeenCalledTimes(3);
    timer.stop();
  });

  it('counts silence again from every touch', () => {
    const tick = vi.fn();
    const timer = new KeepaliveTimer(tick, 100);
    timer.start();
    for (let i = 0; i < 10; i++) {
      vi.advanceTimersByTime(60);
      timer.touch();
    }
    expect(tick).not.toHaveBeenCalled();
    vi.advanceTimersByTime(100);
    expect(tick).toHaveBeenCalledTimes(1);
    timer.stop();
  });

  it('never ticks after stop, nor at all with interval 0', () => {
    const tick = vi.fn();
    const timer = new KeepaliveTimer(tick, 100);
    timer.start();
    timer.stop();
    const disabled = new KeepaliveTimer(tick, 0);
    disabled.start();
    disabled.touch();
    vi.advanceTimersByTime(1_000);
    expect(tick).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
  });
});
