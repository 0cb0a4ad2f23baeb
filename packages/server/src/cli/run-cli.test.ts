import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.js';
import { SERVER_VERSION } from '../version.js';
import { runCli, type CliRun } from './run-cli.js';

function io() {
  const out = { stdout: '', stderr: '' };
  return { out, io: { stdout: (text: string) => (out.stdout += text), stderr: (text: string) => (out.stderr += text) } };
}

const silent = new Writable({ write: (_chunk, _encoding, callback) => callback() });
let running: CliRun | undefined;

afterEach(async () => {
  await running?.server?.close();
  running = undefined;
});

describe('nim-proxy', () => {
  it('--help lists every flag', async () => {
    const { out, io: cliIo } = io();
    expect(await runCli(['--help'], {}, cliIo)).toEqual({ exitCode: 0 });
    for (const flag of ['--config', '--host', '--port', '--default-backend', '--force-model', '--keepalive-interval', '--disable-auth', '--log-level', '--help', '--version']) {
      expect(out.stdout).toContain(flag);
    }
    // The variables read outside the flags' own: the upstream keys, and the forward proxy.
    for (const variable of ['NVIDIA_API_KEY', 'HTTPS_PROXY', 'NO_PROXY']) expect(out.stdout).toContain(variable);
  });

  it('--version prints the package version', async () => {
    const { out, io: cliIo } = io();
    expect(await runCli(['-v'], {}, cliIo)).toEqual({ exitCode: 0 });
    expect(out.stdout).toBe(`${SERVER_VERSION}\n`);
    expect(SERVER_VERSION).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('rejects an unknown flag with exit code 2 and a hint', async () => {
    const { out, io: cliIo } = io();
    expect(await runCli(['--prot', '1'], {}, cliIo)).toEqual({ exitCode: 2 });
    expect(out.stderr).toContain("Unknown option '--prot'");
    expect(out.stderr).toContain('nim-proxy --help');
  });

  it('refuses to start without proxy keys, saying how to fix it', async () => {
    const { out, io: cliIo } = io();
    expect(await runCli(['--port', '0'], {}, cliIo, { cwd: '/' })).toEqual({ exitCode: 1 });
    expect(out.stderr).toMatch(/^nim-proxy: No proxy API keys configured/);
  });

  it('prints an invalid value with its key path and exits 1', async () => {
    const { out, io: cliIo } = io();
    expect(await runCli([], { PROXY_PORT: 'x' }, cliIo, { cwd: '/' })).toEqual({ exitCode: 1 });
    expect(out.stderr).toBe('nim-proxy: Invalid configuration: port: expected a number between 0 and 65535\n');
  });

  it('reports a host name that does not resolve in one line and exits 1, as any address it cannot listen on', async () => {
    const { out, io: cliIo } = io();
    // `.invalid` never resolves (RFC 6761): answered by the resolver, or locally when there is no network.
    const args = ['--host', 'nim-proxy-test.invalid', '--port', '0', '--disable-auth', '--log-level', 'silent'];
    expect(await runCli(args, { NVIDIA_API_KEY: 'nvapi-x' }, cliIo, { cwd: '/', logDestination: silent })).toEqual({ exitCode: 1 });
    expect(out.stderr).toMatch(/^nim-proxy: cannot listen: getaddrinfo (ENOTFOUND|EAI_AGAIN) nim-proxy-test\.invalid\n$/);
  }, 30_000);

  it('starts the server from a config file, flags and env, auth disabled by flag', async () => {
    const { io: cliIo } = io();
    const dir = tempDir('nim-proxy-cli-');
    // A static catalog and an unreachable URL: nothing leaves the machine.
    writeFileSync(join(dir, 'proxy.yaml'), 'backends:\n  nvidia:\n    api_url: http://127.0.0.1:1/v1\n    models: [meta/llama3-70b]\n');
    running = await runCli(['--config', 'proxy.yaml', '--port', '0', '--disable-auth', '--log-level', 'silent'], { NVIDIA_API_KEY: 'nvapi-x' }, cliIo, {
      cwd: dir,
      logDestination: silent,
    });
    expect(running.server?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const models = await fetch(`${running.server!.url}/v1/models`);
    expect(((await models.json()) as { data: { id: string }[] }).data.map((model) => model.id)).toEqual(['nvidia:meta/llama3-70b']);
  });
});
