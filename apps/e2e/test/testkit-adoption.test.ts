import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
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
// Asynchronous on purpose: a child that takes minutes (an npm install) must not block vitest's worker, whose calls
// to the main process time out while it is blocked.
const run = async (command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeout?: number }) =>
  (await promisify(execFile)(command, args, { ...options, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })).stdout;

/** The registry did not answer in time: the test is skipped, saying so, rather than failed for the network's sake. */
class RegistryUnreachable extends Error {}
// The pnpm running this suite, when there is one: no npx round trip per package.
const pnpm = process.env.npm_execpath?.includes('pnpm') ? [process.execPath, [process.env.npm_execpath]] as const : ['npx', PNPM] as const;
const published = ['core', 'nvidia', 'server', 'testkit'];
const nodeMajor = Number(process.versions.node.split('.')[0]);
const scratch = mkdtempSync(join(tmpdir(), 'testkit-adoption-'));
const tarballs: Record<string, string> = {};

// The child vitest must not think it runs inside this one.
const childEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(VITEST|TEST|NODE_OPTIONS|npm_)/i.test(name)));

beforeAll(async () => {
  const into = join(scratch, 'tarballs');
  mkdirSync(into);
  for (const name of published) {
    const output = await run(pnpm[0], [...pnpm[1], 'pack', '--pack-destination', into], { cwd: join(root, 'packages', name), env: childEnv });
    tarballs[`@proxy/${name}`] = basename(output.trim().split('\n').at(-1)!.trim());
  }
}, 240_000);
// The projects' node_modules are tens of thousands of files: removed without blocking the worker, and given the time a
// busy machine needs (the default 20 s was once not enough for a synchronous removal under a full CI run).
afterAll(() => rm(scratch, { recursive: true, force: true }), 240_000);

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

// A project that tests another client (the Anthropic SDK, plain fetch) installs no `openai`: the harness still runs,
// and only its `client` says what is missing.
const CONSUMER_TEST_WITHOUT_OPENAI = `import { expect, it } from 'vitest';
import { startProxyHarness } from '@proxy/testkit/harness';

it('runs the harness without the optional openai peer', async () => {
  const harness = await startProxyHarness();
  try {
    const response = await fetch(harness.proxyUrl + '/v1/messages', {
      method: 'POST',
      headers: { 'x-api-key': harness.proxyKey, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'meta/llama3-70b-instruct', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(response.status).toBe(200);
    expect((await response.json()).content[0].text).toBe('You said: hi');
    expect(() => harness.client).toThrow(/install .openai. \\(\\^6 or \\^7\\)/);
  } finally {
    await harness.close();
  }
});
`;

async function adopt(versions: { openai?: string; vitest: string }, test = CONSUMER_TEST): Promise<{ installed: Record<string, string | undefined>; output: string }> {
  const project = join(scratch, `consumer-openai-${versions.openai ?? 'none'}-vitest-${versions.vitest}`);
  mkdirSync(project);
  const dependencies = Object.fromEntries(Object.entries(tarballs).map(([name, file]) => [name, `file:${join(scratch, 'tarballs', file)}`]));
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({
      name: 'consumer',
      private: true,
      type: 'module',
      dependencies,
      devDependencies: { ...(versions.openai ? { openai: versions.openai } : {}), vitest: versions.vitest },
      // The server's own dependency on @proxy/core and @proxy/nvidia: the same local tarballs, not the registry.
      overrides: { '@proxy/core': '$@proxy/core', '@proxy/nvidia': '$@proxy/nvidia' },
    }),
  );
  writeFileSync(join(project, 'consumer.test.js'), test);
  // Bounded: a registry that stops answering (seen in CI: npm waited on its sockets for minutes) must not hang the suite.
  try {
    await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', '--fetch-timeout=30000', '--fetch-retries=2'], {
      cwd: project,
      env: childEnv,
      timeout: 150_000,
    });
  } catch (error) {
    const { killed, stderr } = error as { killed?: boolean; stderr?: string };
    if (killed || /ETIMEDOUT|ECONNRESET|ECONNREFUSED|EAI_AGAIN|ENOTFOUND|network|socket hang up/i.test(stderr ?? '')) {
      throw new RegistryUnreachable(`the npm registry did not answer the install in time: ${(stderr ?? '').trim().split('\n').at(-1) ?? ''}`);
    }
    throw error;
  }
  const installed = Object.fromEntries(
    ['openai', 'vitest', '@proxy/testkit', '@proxy/server'].map((name) => {
      const manifest = join(project, 'node_modules', name, 'package.json');
      return [name, existsSync(manifest) ? (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version : undefined];
    }),
  );
  const output = await run(process.execPath, [join(project, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--reporter=verbose'], {
    cwd: project,
    env: { ...childEnv, CI: '1' },
  });
  return { installed, output };
}

/** Set once an install found the registry not answering: the other installs skip at once instead of each waiting out its timeout. */
let registryDown: string | undefined;

async function adoptOrSkip(versions: { openai?: string; vitest: string }, skip: (note?: string) => never, test?: string): ReturnType<typeof adopt> {
  if (registryDown !== undefined) skip(registryDown);
  try {
    return await adopt(versions, test);
  } catch (error) {
    if (error instanceof RegistryUnreachable) {
      registryDown = error.message;
      skip(error.message);
    }
    throw error;
  }
}

describe('the testkit, adopted by another repository', () => {
  it('packs with pnpm to manifests without workspace: ranges (npm pack would keep them)', async () => {
    const manifest = JSON.parse(
      await run('tar', ['-xzOf', join(scratch, 'tarballs', tarballs['@proxy/server']!), 'package/package.json'], {}),
    ) as { dependencies: Record<string, string> };
    expect(manifest.dependencies['@proxy/core']).toMatch(/^\d+\.\d+\.\d+/);
    expect(JSON.stringify(manifest)).not.toContain('workspace:');
  });

  it.runIf(nodeMajor >= 22)('installs with plain npm beside openai 7 and vitest 5, and its suite passes', async (context) => {
    const { installed, output } = await adoptOrSkip({ openai: '7.60.0', vitest: '5.1.2' }, context.skip);
    expect(installed).toMatchObject({ openai: '7.60.0', vitest: '5.1.2', '@proxy/testkit': '0.1.0' });
    expect(output).toMatch(/2 passed/);
  }, 300_000);

  it('installs with plain npm beside openai 6 and vitest 4, and its suite passes', async (context) => {
    const { installed, output } = await adoptOrSkip({ openai: '6.49.0', vitest: '4.1.12' }, context.skip);
    expect(installed).toMatchObject({ openai: '6.49.0', vitest: '4.1.12' });
    expect(output).toMatch(/2 passed/);
  }, 300_000);

  it('installs with plain npm without openai (an optional peer), and the harness serves other clients', async (context) => {
    const { installed, output } = await adoptOrSkip({ vitest: '4.1.12' }, context.skip, CONSUMER_TEST_WITHOUT_OPENAI);
    expect(installed).toMatchObject({ openai: undefined, vitest: '4.1.12' });
    expect(output).toMatch(/1 passed/);
  }, 300_000);
});
