import { describe, expect, it } from 'vitest';
import { MemoryKeyStore } from './memory-key-store.js';
import { RollingWindow } from './rolling-window.js';

const W = 60_000;

function clock(start = 1_000_000) {
  const time = { now: start };
  return { time, now: () => time.now };
}

describe('RollingWindow', () => {
  it('never holds more than the limit in any window: a slot frees one window after it was taken, not before', () => {
    const window = new RollingWindow(3, W);
    window.add(0);
    window.add(10);
    window.add(20);
    expect(window.room(W)).toBe(0); // the request at 0 still counts at exactly one window later
    expect(window.freesAt(0)).toBe(W + 1);
    expect(window.room(W + 1)).toBe(1);
    expect(window.room(W + 21)).toBe(3);
  });

  it('grows past its first ring without losing order', () => {
    const window = new RollingWindow(100, W);
    for (let t = 0; t < 40; t++) window.add(t);
    expect(window.count(39)).toBe(40);
    expect(window.freesAt(0)).toBe(W + 1);
    expect(window.freesAt(39)).toBe(39 + W + 1);
    expect(window.count(W + 20)).toBe(20);
  });
});

describe('MemoryKeyStore', () => {
  const all = [true, true];

  it('takes the key with the most room, and equal keys in turn', () => {
    const { time, now } = clock();
    const store = new MemoryKeyStore({ size: 2, requestsPerMinute: 3, maxConcurrent: 0, windowMs: W }, now);
    const order = [store.take(all), store.take(all), store.take(all), store.take(all)].map((taken) => taken.index);
    expect(order).toEqual([0, 1, 0, 1]);
    time.now += 1;
    expect(store.take(all).index).toBe(0);
    expect(store.take(all).index).toBe(1);
    expect(store.take(all).index).toBe(-1); // 3 each in the window
  });

  it('is a rolling window: a burst at the end of one minute and the start of the next gets the limit, not twice it', () => {
    const { time, now } = clock();
    const store = new MemoryKeyStore({ size: 1, requestsPerMinute: 4, maxConcurrent: 0, windowMs: W }, now);
    time.now += 59_000;
    let sent = 0;
    while (store.take([true]).index >= 0) sent++;
    time.now += 2_000; // a token bucket refilled each minute would let 4 more through here
    while (store.take([true]).index >= 0) sent++;
    expect(sent).toBe(4);
    expect(store.wait(0, [true])).toBe(W + 1 - 2_000);
  });

  it('says when slot n frees, across keys, skipping a resting key until its rest ends', () => {
    const { time, now } = clock(0);
    const store = new MemoryKeyStore({ size: 2, requestsPerMinute: 1, maxConcurrent: 0, windowMs: W }, now);
    store.take(all); // key 0 at 0
    time.now = 1000;
    store.take(all); // key 1 at 1000
    expect(store.wait(0, all)).toBe(W + 1 - 1000);
    expect(store.wait(1, all)).toBe(W + 1);
    expect(store.wait(2, all)).toBe(2 * W + 1 - 1000); // past the known slots, each frees one window later again
    store.rest(0, 90_000);
    expect(store.wait(0, all)).toBe(W + 1);
    time.now = W + 1;
    expect(store.take(all).index).toBe(-1); // key 0 has room but rests; key 1's slot is still taken
    time.now = W + 1001;
    expect(store.take(all).index).toBe(1);
    expect(store.take([true, false]).index).toBe(-1); // a removed key is never taken
  });

  it('caps in-flight requests per key, and a release frees the slot; no clock tells when', () => {
    const { now } = clock();
    const store = new MemoryKeyStore({ size: 1, requestsPerMinute: 0, maxConcurrent: 2, windowMs: W }, now);
    const first = store.take([true]);
    store.take([true]);
    expect(store.take([true]).index).toBe(-1);
    expect(store.wait(0, [true])).toBeUndefined();
    store.release(first);
    expect(store.take([true]).index).toBe(0);
  });
});
