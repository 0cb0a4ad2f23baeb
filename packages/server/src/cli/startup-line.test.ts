import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sendJson, startRecordingUpstream, type RecordingUpstream } from '@proxy/testkit/recording-upstream';
import { afterEach, describe, expect, it } from 'vitest';
import { LogCapture } from '../../test/support/proxy.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { SERVER_VERSION } from '../version.js';
import { runCli, type CliRun } from './run-cli.js';

const ALICE_KEY = 'sk-startup-alice-7c1e0d';
const SECOND_KEY = 'sk-startup-second-93fa2b';
const noIo = { stdout: () => {}, stderr: () => {} };
let running: CliRun | undefined;
let upstream: RecordingUpstream | undefined;
afterEach(async () => {
  await running?.server?.close();
  await upstream?.close();
  running = upstream = undefined;
});

async function start(yaml: string | undefined, env: Record<string, string>, argv: string[] = []) {
  const cwd = tempDir('nim-proxy-startup-');
  if (yaml !== undefined) writeFileSync(join(cwd, 'config.yaml'), yaml);
  const logs = new LogCapture();
  running = await runCli(['--port', '0', ...argv], env, noIo, { cwd, logDestination: logs });
  expect(running.server).toBeDefined();
  return { cwd, logs, url: running.server!.url };
}

describe('the start-up line', () => {
  it('says the version, the ./config.yaml it picked up, backends with model counts, key count and address', async () => {
    upstream = await startRecordingUpstream((_request, response) => sendJson(response, 200, { object: 'list', data: [{ id: 'm/one' }, { id: 'm/two' }] }));
    const yaml = `backends:\n  local:\n    type: openai\n    api_url: ${upstream.url}\n    api_key: k\n  fixed:\n    type: openai\n    api_url: http://127.0.0.1:9/v1\n    models: [a]\n`;
    const { cwd, logs, url } = await start(yaml, { PROXY_API_KEYS: `alice:${ALICE_KEY},${SECOND_KEY}` });
    const lines = logs.records().filter((line) => String(line.msg).startsWith('nim-proxy '));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 30,
      version: SERVER_VERSION,
      config_file: join(cwd, 'config.yaml'),
      config_source: 'cwd',
      backends: [
        { name: 'local', type: 'openai', models: 2, upstream_key: 'set' },
        { name: 'fixed', type: 'openai', models: 1, upstream_key: 'none (keyless upstream)' },
      ],
      proxy_keys: 2,
      listen: url,
    });
    expect(lines[0]!.msg).toBe(
      `nim-proxy ${SERVER_VERSION} listening on ${url}: config ${join(cwd, 'config.yaml')} (found in the working directory); ` +
        'backends local (openai, 2 models), fixed (openai, 1 model); 2 proxy keys',
    );
    // Keys no random temp-folder name can hold (the config's path is in the line): 'k1' once matched one.
    expect(logs.text).not.toContain(ALICE_KEY);
    expect(logs.text).not.toContain(SECOND_KEY);
    expect(logs.records().filter((line) => line.level === 40)).toEqual([]);
  });

  it('names the HTTP proxy a backend reaches its upstream through, without the credentials in its URL', async () => {
    const yaml = 'backends:\n  nvidia:\n    type: nvidia\n    models: [meta/llama3-70b-instruct]\n';
    const env = { PROXY_API_KEYS: 'k1', NVIDIA_API_KEY: 'nvapi-startup-key-0123456789', HTTPS_PROXY: 'http://alice:pr0xy-secret-pass@proxy.corp:3128' };
    const { logs } = await start(yaml, env, ['--default-backend', 'nvidia']);
    const summary = logs.records().find((line) => String(line.msg).startsWith('nim-proxy '));
    expect(summary).toMatchObject({ backends: [{ name: 'nvidia', upstream_proxy: 'http://proxy.corp:3128' }] });
    expect(String(summary!.msg)).toContain('backends nvidia (nvidia, 1 model, through http://proxy.corp:3128)');
    expect(logs.text).not.toContain('pr0xy-secret-pass');
  });

  it('says when no config file was read, and warns of a backend that has no upstream key', async () => {
    const { logs } = await start(undefined, { PROXY_API_KEYS: 'k1' }, ['--default-backend', 'nvidia']);
    const summary = logs.records().find((line) => String(line.msg).startsWith('nim-proxy '));
    expect(summary).toMatchObject({ config_file: null, backends: [{ name: 'nvidia', type: 'nvidia', models: 0, upstream_key: 'missing' }], proxy_keys: 1 });
    expect(String(summary!.msg)).toContain(': no config file; backends nvidia (nvidia, 0 models); 1 proxy key');
    const warnings = logs.records().filter((line) => line.level === 40);
    expect(warnings).toMatchObject([{ backend: 'nvidia', msg: expect.stringMatching(/^backend nvidia has no upstream key: .*NVIDIA_API_KEY/) }]);
  });
});
