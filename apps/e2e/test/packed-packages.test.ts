import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// What users install is the packed tarball, not the workspace: these tests pack each published package and check
// what is in it, then use the packed testkit from a throwaway project outside the workspace.
const root = resolve(import.meta.dirname, '../../..');
const published = ['core', 'nvidia', 'server', 'testkit'];
const scratch = mkdtempSync(join(tmpdir(), 'proxy-packed-'));
// Removed without blocking the worker, with the time a busy machine needs.
afterAll(() => rm(scratch, { recursive: true, force: true }), 120_000);

function pack(name: string, destination?: string): { filename: string; files: string[] } {
  const args = ['pack', '--json', ...(destination ? ['--pack-destination', destination] : ['--dry-run'])];
  const output = execFileSync('npm', args, { cwd: join(root, 'packages', name), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const [result] = JSON.parse(output) as [{ filename: string; files: { path: string }[] }];
  return { filename: result.filename, files: result.files.map((file) => file.path) };
}

describe('published packages', () => {
  it.each(published)('@proxy/%s packs only its build, bins, README and manifest', (name) => {
    const { files } = pack(name);
    expect(files).toContain('package.json');
    expect(files).toContain('README.md');
    expect(files).toContain('dist/index.js');
    expect(files).toContain('dist/index.d.ts');
    const stray = files.filter((path) => !/^(dist\/|bin\/[\w-]+\.js$|README\.md$|package\.json$)/.test(path));
    expect(stray).toEqual([]);
    expect(files.filter((path) => /\.test\.|test-support|__fixtures__/.test(path))).toEqual([]);
  });
});

describe('the packed testkit in a project outside the workspace', () => {
  it('starts the mock NIM and answers models and a chat completion', () => {
    const project = join(scratch, 'consumer');
    const modules = join(project, 'node_modules');
    mkdirSync(join(modules, '@proxy', 'testkit'), { recursive: true });
    const { filename } = pack('testkit', scratch);
    execFileSync('tar', ['-xzf', join(scratch, filename), '-C', join(modules, '@proxy', 'testkit'), '--strip-components=1']);
    // Its one dependency, linked from the workspace's store rather than downloaded: no test touches the network.
    symlinkSync(realpathSync(join(root, 'packages', 'testkit', 'node_modules', 'msw')), join(modules, 'msw'), 'dir');
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    writeFileSync(
      join(project, 'check.mjs'),
      `import { DEFAULT_API_KEY, expectedCompletion } from '@proxy/testkit';
import { startMockNim } from '@proxy/testkit/node';
const nim = await startMockNim();
const models = await (await fetch(nim.url + '/models')).json();
const body = { model: 'meta/llama3-70b-instruct', messages: [{ role: 'user', content: 'hi from outside' }] };
const res = await fetch(nim.url + '/chat/completions', {
  method: 'POST',
  headers: { authorization: 'Bearer ' + DEFAULT_API_KEY, 'content-type': 'application/json' },
  body: JSON.stringify(body),
});
const completion = await res.json();
console.log(JSON.stringify({
  models: models.data.length,
  status: res.status,
  matches: completion.choices[0].message.content === expectedCompletion(body).content,
  recorded: nim.requests.all.length,
}));
await nim.close();
`,
    );
    const output = execFileSync(process.execPath, ['check.mjs'], { cwd: project, encoding: 'utf8' });
    expect(JSON.parse(output)).toEqual({ models: 8, status: 200, matches: true, recorded: 2 });
  });
});
