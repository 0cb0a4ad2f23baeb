import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Another repository adopting the testkit, as its README says to: a project outside this workspace, made with plain
// npm, installing the packed tarballs (`pnpm pack`: it writes real versions where `npm pack` leaves `workspace:*`)
// from local files; only third-party packages (msw, openai, vitest, fastify…) come from the npm registry. npm's
// own peer check runs (no --legacy-peer-deps), so a peer range that refuses the project's `openai` or `vitest` fails
// the install with ERESOLVE. The newest majors (openai 7, vitest 5) need Node 22; below it the previous ones run.
const root = resolve(import.meta.dirname, '../../..');
const PNPM = ['-y', 'pnpm@10.34.9'];
const published = ['core', 'nvidia', 'server', 'testkit'];
const nodeMajor = Number(process.versions.node.split('.')[0]);
const scratch = mkdtempSync(join(tmpdir(), 'testkit-adoption-'));
const tarballs: Record<string, string> = {};

// The child vitest must not think it runs inside this one.
const childEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(VITEST|TEST|NODE_OPTIONS|npm_)/i.test(name)));

beforeAll(() => {
  const into = join(scratch, 'tarballs');
  mkdirSync(into);
  for (const name of published) {
    const output = execFileSync('npx', [...PNPM, 'pack', '--pack-destination', into], { cwd: join(root, 'packages', name), encoding: 'utf8', env: childEnv });
    tarballs[`@proxy/${name}`] = basename(output.trim().split('\n').at(-1)!.trim());
  }
}, 120_000);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const CONSUMER_TEST = `import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { DEFAULT_API_KEY, expectedCompletion } from '@proxy/testkit';
import { startProxyHarness } from '@proxy/testkit/harness';
import { useMockNim } from '@proxy/testkit/with-vitest';

const body = { model: 'meta/llama3-70b-instruct', messages: [{ role: 'user', content: 'hi from another repo' }] };

describe('the testkit in a project of its own', () => {
  const nim = useMockNim();

  it('answers the openai SDK from useMockNim (nim.url)', async () => {
    const client = new OpenAI({ baseURL: nim.url, apiKey: DEFAULT_API_KEY, maxRetries: 0 });
    const completion = await client.chat.completions.create(body);
    expect(completion.choices[0].message.content).toBe(expectedCompletion(body).content);
    expect(nim.requests.count).toBe(1);
  });

  it('runs the real proxy in front of the mock (the harness)', async () => {
    const harness = await startProxyHarness();
    try {
      const stream = await harness.client.chat.completions.create({ ...body, stream: true });
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
      expect(text).toBe(expectedCompletion(body).content);
    } finally {
      await harness.close();
    }
  });
});
`;

function adopt(versions: { openai: string; vitest: string }): { installed: Record<string, string>; output: string } {
  const project = join(scratch, `consumer-openai-${versions.openai}-vitest-${versions.vitest}`);
  mkdirSync(project);
  const dependencies = Object.fromEntries(Object.entries(tarballs).map(([name, file]) => [name, `file:${join(scratch, 'tarballs', file)}`]));
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({
      name: 'consumer',
      private: true,
      type: 'module',
      dependencies,
      devDependencies: { openai: versions.openai, vitest: versions.vitest },
      // The server's own dependency on @proxy/core and @proxy/nvidia: the same local tarballs, not the registry.
      overrides: { '@proxy/core': '$@proxy/core', '@proxy/nvidia': '$@proxy/nvidia' },
    }),
  );
  writeFileSync(join(project, 'consumer.test.js'), CONSUMER_TEST);
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: project, encoding: 'utf8', env: childEnv });
  const installed = Object.fromEntries(
    ['openai', 'vitest', '@proxy/testkit', '@proxy/server'].map((name) => [
      name,
      (JSON.parse(readFileSync(join(project, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version,
    ]),
  );
  const output = execFileSync(process.execPath, [join(project, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--reporter=verbose'], {
    cwd: project,
    encoding: 'utf8',
    env: { ...childEnv, CI: '1' },
  });
  return { installed, output };
}

describe('the testkit, adopted by another repository', () => {
  it('packs with pnpm to manifests without workspace: ranges (npm pack would keep them)', () => {
    const manifest = JSON.parse(
      execFileSync('tar', ['-xzOf', join(scratch, 'tarballs', tarballs['@proxy/server']!), 'package/package.json'], { encoding: 'utf8' }),
    ) as { dependencies: Record<string, string> };
    expect(manifest.dependencies['@proxy/core']).toMatch(/^\d+\.\d+\.\d+/);
    expect(JSON.stringify(manifest)).not.toContain('workspace:');
  });

  it.runIf(nodeMajor >= 22)('installs with plain npm beside openai 7 and vitest 5, and its suite passes', () => {
    const { installed, output } = adopt({ openai: '7.59.0', vitest: '5.1.2' });
    expect(installed).toMatchObject({ openai: '7.59.0', vitest: '5.1.2', '@proxy/testkit': '0.1.0' });
    expect(output).toMatch(/2 passed/);
  }, 300_000);

  it('installs with plain npm beside openai 6 and vitest 4, and its suite passes', () => {
    const { installed, output } = adopt({ openai: '6.49.0', vitest: '4.1.12' });
    expect(installed).toMatchObject({ openai: '6.49.0', vitest: '4.1.12' });
    expect(output).toMatch(/2 passed/);
  }, 300_000);
});
