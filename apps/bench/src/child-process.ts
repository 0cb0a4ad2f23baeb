import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface Child {
  port: number;
  url: string;
  memory(): Promise<NodeJS.MemoryUsage>;
  stop(): Promise<void>;
}

const entry = fileURLToPath(new URL('./child-entry.js', import.meta.url));

/** Forks a bench participant and waits until it listens. Its stdout (the proxy's log lines) is discarded. */
export async function startChild(role: 'upstream' | 'baseline' | 'proxy', options: object = {}, execArgv: string[] = []): Promise<Child> {
  const child: ChildProcess = fork(entry, [role, JSON.stringify(options)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], execArgv });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${role} exited with ${code} before listening`)));
    child.once('message', (message: { port: number }) => resolve(message.port));
  });
  return {
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
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.removeAllListeners('exit');
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
}
