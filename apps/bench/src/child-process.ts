import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** `floor`: a Fastify pass-through that pays only the chosen libraries' per-request work (fastify-library-floor.ts). */
export type ChildRole = 'upstream' | 'baseline' | 'fastify' | 'floor' | 'proxy';

export interface Child {
  pid: number;
  port: number;
  url: string;
  memory(): Promise<NodeJS.MemoryUsage>;
  /** The child's CPU time so far (user + system), in µs. */
  cpu(): Promise<number>;
  /** Starts sampling every allocation the child makes (V8's sampling heap profiler, collected objects included). */
  startAllocationSampling(): Promise<void>;
  /** Stops it and writes the profile (`.heapprofile` JSON) to `file`. */
  stopAllocationSampling(file: string): Promise<void>;
  stop(): Promise<void>;
}

const entry = fileURLToPath(new URL('./child-entry.js', import.meta.url));

/** Where `BENCH_PROFILE=1` makes every proxy child write a V8 CPU profile when it is stopped. */
export const PROFILE_DIR = fileURLToPath(new URL('../profiles/', import.meta.url));
const profiling = process.env.BENCH_PROFILE === '1';

/** Forks a bench participant and waits until it listens. Its stdout (the proxy's log lines) is discarded. */
export async function startChild(
  role: ChildRole,
  options: object = {},
  execArgv: string[] = [],
  /** Another checkout's built child-entry.js (ab-cpu compares two builds); this one's by default. */
  entryFile: string | undefined = undefined,
): Promise<Child> {
  if (profiling && role === 'proxy') {
    mkdirSync(PROFILE_DIR, { recursive: true });
    execArgv = [...execArgv, '--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`];
  }
  const child: ChildProcess = fork(entryFile ?? entry, [role, JSON.stringify(options)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], execArgv });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${role} exited with ${code} before listening`)));
    child.once('message', (message: { port: number }) => resolve(message.port));
  });
  /** Sends `message` and resolves at the child's next answer carrying `key`. */
  const ask = (message: object, key: string) =>
    new Promise<void>((resolve) => {
      const onMessage = (answer: Record<string, unknown>) => {
        if (answer[key] === undefined) return;
        child.off('message', onMessage);
        resolve();
      };
      child.on('message', onMessage);
      child.send(message);
    });
  return {
    pid: child.pid!,
    port,
    url: `http://127.0.0.1:${port}/v1`,
    memory: () =>
      new Promise((resolve) => {
        const onMessage = (message: { memory?: NodeJS.MemoryUsage }) => {
          if (!message.memory) return;
          child.off('message', onMessage);
          resolve(message.memory);
        };
        child.on('message', onMessage);
        child.send({ cmd: 'memory' });
      }),
    cpu: () =>
      new Promise((resolve) => {
        const onMessage = (message: { cpu?: number }) => {
          if (message.cpu === undefined) return;
          child.off('message', onMessage);
          resolve(message.cpu);
        };
        child.on('message', onMessage);
        child.send({ cmd: 'cpu' });
      }),
    startAllocationSampling: () => ask({ cmd: 'heap-start' }, 'heap'),
    stopAllocationSampling: (file) => ask({ cmd: 'heap-stop', file }, 'heap'),
    // Asked to exit first, so that --cpu-prof gets to write its profile; killed if it does not within 5 s.
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.removeAllListeners('exit');
        const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        child.send({ cmd: 'exit' });
      }),
  };
}
