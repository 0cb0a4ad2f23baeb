import { writeSync } from 'node:fs';

/** Lets a write to a full non-blocking descriptor wait without spinning. */
const waitCell = new Int32Array(new SharedArrayBuffer(4));
const EAGAIN_WAIT_MS = 10;

/**
 * Log lines batched into synchronous writes to a file descriptor: held until `minLength` characters are pending
 * (or flush()), then written whole, in order: a line costs an array push, where pino's sonic-boom re-measures
 * its growing buffer on every line. Like pino's synchronous destination, a full non-blocking pipe is waited for,
 * so no line is lost.
 *
 * With `maxDelayMs`, a line also leaves at most that long after it was written: the timer is armed by the first line
 * that finds nothing pending, so an idle process has no timer at all (a fixed interval would wake it for nothing,
 * ten times a second, for its whole life). A delayed write that fails is dropped: nothing could receive it.
 */
export class BatchedFdWriter {
  readonly #fd: number;
  readonly #minLength: number;
  readonly #maxDelayMs: number | undefined;
  #lines: string[] = [];
  #length = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(fd: number, minLength: number, options: { maxDelayMs?: number } = {}) {
    this.#fd = fd;
    this.#minLength = minLength;
    this.#maxDelayMs = options.maxDelayMs;
  }

  /** Whether lines are waiting for a flush. */
  get pending(): boolean {
    return this.#lines.length > 0;
  }

  write(line: string): void {
    this.#lines.push(line);
    this.#length += line.length;
    if (this.#length >= this.#minLength) this.flush();
    // Left armed by a flush on the threshold: it then writes what came since, a little early, which is harmless.
    else if (this.#timer === undefined && this.#maxDelayMs !== undefined) this.#timer = setTimeout(this.#flushLate, this.#maxDelayMs).unref();
  }

  readonly #flushLate = (): void => {
    this.#timer = undefined;
    try {
      this.flush();
    } catch {
      // The descriptor is gone (EPIPE once standard output is): its lines cannot be written anywhere.
    }
  };

  /** Writes every pending line now. Throws what the descriptor throws (EPIPE once standard output is gone). */
  flush(): void {
    if (this.#lines.length === 0) return;
    const text = this.#lines.length === 1 ? this.#lines[0]! : this.#lines.join('');
    this.#lines = [];
    this.#length = 0;
    writeFully(this.#fd, text);
  }
}

/** Writes all of `text`: a string goes to writeSync as it is (no Buffer made), and only a partial write is copied. */
function writeFully(fd: number, text: string): void {
  let written: number;
  try {
    written = writeSync(fd, text);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
    written = 0;
  }
  if (written === Buffer.byteLength(text)) return;
  let rest = Buffer.from(text).subarray(written);
  while (rest.length > 0) {
    try {
      rest = rest.subarray(writeSync(fd, rest));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      Atomics.wait(waitCell, 0, 0, EAGAIN_WAIT_MS); // the pipe is full: give its reader a moment
    }
  }
}
