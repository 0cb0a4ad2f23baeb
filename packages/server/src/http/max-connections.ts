import { readFileSync } from 'node:fs';

/**
 * The default cap on open client connections: half the process's file descriptors, less a reserve, because each
 * client request in flight also holds an upstream socket, and log files and DNS need a few. Idle client sockets
 * past the cap are refused instead of starving requests of descriptors. Without a readable limit (not Linux), no cap.
 */
export function defaultMaxConnections(): number | undefined {
  return maxConnectionsFor(readOpenFileLimit());
}

/** The cap for a limit of `openFiles` descriptors. */
export function maxConnectionsFor(openFiles: number | undefined): number | undefined {
  if (openFiles === undefined) return undefined;
  return Math.max(16, Math.floor((openFiles - 32) / 2));
}

/** The soft "Max open files" limit of this process, from /proc (Linux). */
function readOpenFileLimit(): number | undefined {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((row) => row.startsWith('Max open files'));
    const soft = line?.split(/\s{2,}/)[1];
    const value = soft === undefined ? NaN : Number(soft);
    return Number.isFinite(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
