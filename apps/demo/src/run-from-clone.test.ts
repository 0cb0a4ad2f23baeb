import { spawn, execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';

// The commands the README gives for a clone, run as written: `nim-proxy` and `mock-nim` are linked into the root's
// node_modules/.bin (the root depends on both packages), so `npx -y pnpm@10.34.9 exec nim-proxy`, `npx nim-proxy`
// and `./node_modules/.bin/nim-proxy` work. The production form execs node itself, so SIGTERM reaches the proxy,
// which drains and exits 0: no wrapper is left holding an orphan.
const root = resolve(import.meta.dirname, '../../..');
const bin = (name: string) => join(root, 'node_modules', '.bin', name);

describe('running from a clone', () => {
  it('has nim-proxy and mock-nim on the root bin path', () => {
    expect(execFileSync(bin('nim-proxy'), ['--version'], { encoding: 'utf8' }).trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect(execFileSync(bin('mock-nim'), ['--help'], { encoding: 'utf8' })).toContain('Usage: mock-nim');
  });

  it('the production command is the proxy process itself: SIGTERM drains it and it exits 0', async () => {
    const child = spawn(bin('nim-proxy'), ['--port', '0'], {
      cwd: root,
      env: { PATH: process.env.PATH, PROXY_API_KEYS: 'k', PROXY_CONFIG: '' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const lines = createInterface({ input: child.stdout! });
    const seen: Record<string, unknown>[] = [];
    const exited = once(child, 'exit');
    for await (const line of lines) {
      const record = JSON.parse(line) as Record<string, unknown>;
      seen.push(record);
      if (String(record.msg).startsWith('nim-proxy ')) break;
    }
    // The shim exec'd node: the pid spawned is the proxy, and no other process sits between.
    expect(seen.at(-1)).toMatchObject({ pid: child.pid });
    child.kill('SIGTERM');
    const [code] = await exited;
    expect(code).toBe(0);
  });
});
