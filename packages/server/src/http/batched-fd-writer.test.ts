import { execFileSync, spawn } from 'node:child_process';
import { closeSync, constants, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.js';
import { BatchedFdWriter } from './batched-fd-writer.js';

const tempFile = (name: string) => join(tempDir('batched-writer-'), name);

describe('BatchedFdWriter', () => {
  it('holds lines until the threshold, then writes them all in order; flush() writes the rest', () => {
    const path = tempFile('log');
    const fd = openSync(path, 'w');
    const writer = new BatchedFdWriter(fd, 10);
    writer.write('one\n');
    writer.write('two\n');
    expect(readFileSync(path, 'utf8')).toBe('');
    expect(writer.pending).toBe(true);
    writer.write('three\n'); // 14 characters pending: over the threshold
    expect(readFileSync(path, 'utf8')).toBe('one\ntwo\nthree\n');
    expect(writer.pending).toBe(false);
    writer.write('é ✓\n');
    writer.flush();
    writer.flush(); // nothing pending: no write
    closeSync(fd);
    expect(readFileSync(path, 'utf8')).toBe('one\ntwo\nthree\né ✓\n');
  });

  it('loses nothing through a full non-blocking pipe with a slow reader', async () => {
    const fifo = tempFile('fifo');
    const out = tempFile('out');
    execFileSync('mkfifo', [fifo]);
    // The reader is another process, so it drains the pipe while this thread waits; it starts slowly.
    const reader = spawn('sh', ['-c', `sleep 0.3; cat "${fifo}" > "${out}"`]);
    const fd = openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK); // O_RDWR: opening does not wait for a reader
    const writer = new BatchedFdWriter(fd, 64 * 1024);
    // Two-byte characters: a partial write may end inside one, and the rest must still arrive whole.
    const line = `${'é'.repeat(99)}x\n`;
    for (let i = 0; i < 2000; i++) writer.write(line); // 400 KB: several times a pipe's 64 KiB
    writer.flush();
    closeSync(fd);
    await new Promise((resolve) => reader.once('exit', resolve));
    expect(readFileSync(out, 'utf8')).toBe(line.repeat(2000));
  });

  describe('with maxDelayMs', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it('writes a held line once that long has passed since it came, and keeps no timer while nothing is held', () => {
      vi.useFakeTimers();
      const path = tempFile('log');
      const fd = openSync(path, 'w');
      const writer = new BatchedFdWriter(fd, 1000, { maxDelayMs: 100 });
      expect(vi.getTimerCount()).toBe(0); // an idle writer wakes nobody
      writer.write('one\n');
      vi.advanceTimersByTime(60);
      writer.write('two\n'); // waits for the first line's timer, not a new one
      expect(vi.getTimerCount()).toBe(1);
      expect(readFileSync(path, 'utf8')).toBe('');
      vi.advanceTimersByTime(40);
      expect(readFileSync(path, 'utf8')).toBe('one\ntwo\n');
      expect(vi.getTimerCount()).toBe(0);
      vi.advanceTimersByTime(1000);
      expect(vi.getTimerCount()).toBe(0);
      writer.write('three\n');
      expect(vi.getTimerCount()).toBe(1);
      vi.advanceTimersByTime(100);
      closeSync(fd);
      expect(readFileSync(path, 'utf8')).toBe('one\ntwo\nthree\n');
    });

    it('drops a delayed write the descriptor refuses instead of throwing from a timer', () => {
      vi.useFakeTimers();
      const writer = new BatchedFdWriter(987_654, 1000, { maxDelayMs: 100 });
      writer.write('x\n');
      expect(() => vi.advanceTimersByTime(100)).not.toThrow();
      expect(writer.pending).toBe(false);
    });
  });

  it('throws what the descriptor throws', () => {
    const writer = new BatchedFdWriter(987_654, 1);
    expect(() => writer.write('x\n')).toThrow(/EBADF/);
  });
});
