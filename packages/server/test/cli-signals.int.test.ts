import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { freePort } from './support/free-port.js';

const bin = fileURLToPath(new URL('../bin/nim-proxy.js', import.meta.url));

describe('nim-proxy and signals', () => {
  it.each(['SIGHUP', 'SIGTERM'] as const)('drains on %s and exits 0, saying so', async (signal) => {
    const port = await freePort();
    const child = spawn(process.execPath, [bin, '--port', String(port), '--log-level', 'info'], {
      env: { PATH: process.env.PATH, PROXY_API_KEYS: 'signal-test-key', NVIDIA_API_KEY: 'nvapi-signal-test', HOME: process.env.HOME },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (data) => (output += data.toString()));
    child.stderr.on('data', (data) => (output += data.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // Up once it answers its health check.
    for (;;) {
      const up = await fetch(`http://127.0.0.1:${port}/healthz`).then((response) => response.ok, () => false);
      if (up) break;
      if (child.exitCode !== null) throw new Error(`nim-proxy exited early: ${output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    child.kill(signal);
    expect(await exited).toBe(0);
    expect(output).toContain('"msg":"shutting down"');
    expect(output).toContain(`"signal":"${signal}"`);
  }, 30_000);
});
