import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { summarizeAllocations, type HeapProfile } from './allocation-profile.js';
import { BENCH_PROXY_KEY } from './bench-key.js';
import { startChild, type Child, type ChildRole } from './child-process.js';
import { runLoad } from './load.js';
import { JSON_BODY, MESSAGES_BODY, RESPONSES_BODY, STREAM_BODY } from './request-bodies.js';

/**
 * `node dist/allocations.js [--requests 5000] [--top 15] [--roles baseline,floor,proxy] [--kinds json,stream,messages,responses]
 * [--other <built checkout>]`:
 * the bytes each participant allocates per request, by package and by function, from V8's sampling heap profiler
 * (objects already collected included). Unlike CPU time on a shared machine it repeats within a few percent from
 * run to run, so a cut that lowers it can be seen at once; it follows CPU per request closely (the proxy allocates
 * about as many times the floor's bytes as it spends the floor's CPU), but it is a guide to where work goes: the
 * bench judges the targets. `--other` adds the proxy of another built checkout (a `git worktree` of an older commit,
 * whose `child-entry.js` answers the heap commands) as the role `other`, to see where two builds' work differs.
 */
const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '5000' },
    top: { type: 'string', default: '15' },
    roles: { type: 'string', default: 'baseline,floor,proxy' },
    kinds: { type: 'string', default: 'json,stream' },
    other: { type: 'string' },
  },
});
const requests = Number(values.requests);
const top = Number(values.top);
const roles = values.roles.split(',') as ChildRole[];
const otherEntry = values.other ? join(resolve(values.other), 'apps/bench/dist/child-entry.js') : undefined;

/** What each kind of request sends, and where: the translating front ends have their own URL (proxy only). */
const KINDS: Record<string, { body: string; path: string; proxyOnly?: boolean }> = {
  json: { body: JSON_BODY, path: '/chat/completions' },
  stream: { body: STREAM_BODY, path: '/chat/completions' },
  messages: { body: MESSAGES_BODY, path: '/messages', proxyOnly: true },
  responses: { body: RESPONSES_BODY, path: '/responses', proxyOnly: true },
};

const headers = (role: ChildRole): Record<string, string> => (role === 'baseline' ? {} : { authorization: `Bearer ${BENCH_PROXY_KEY}`, 'x-api-key': BENCH_PROXY_KEY });
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

async function allocationsPerRequest(target: Child, role: ChildRole, kind: string, label: string = role): Promise<number> {
  const { body, path } = KINDS[kind]!;
  const url = `${target.url}${path}`;
  // Warmed up first: compiling and the first requests' one-time work are not a request's.
  await runLoad({ url, body, connections: 10, amount: 3000, headers: headers(role) });
  await target.startAllocationSampling();
  const result = await runLoad({ url, body, connections: 10, amount: requests, headers: headers(role) });
  const file = join(tmpdir(), `allocations-${process.pid}-${label}-${kind}.heapprofile`);
  await target.stopAllocationSampling(file);
  if (result.errors + result.non2xx > 0) throw new Error(`${label} ${kind}: ${result.errors + result.non2xx} failed requests`);
  const summary = summarizeAllocations(JSON.parse(readFileSync(file, 'utf8')) as HeapProfile, result.total);
  rmSync(file, { force: true });
  process.stdout.write(`\n${label} ${kind}: ${kib(summary.perRequest)} a request\n`);
  for (const [name, bytes] of summary.byPackage.slice(0, top)) process.stdout.write(`  ${bytes.toFixed(0).padStart(7)} B  ${name}\n`);
  process.stdout.write('  by function:\n');
  for (const [name, bytes] of summary.byFunction.slice(0, top)) process.stdout.write(`  ${bytes.toFixed(0).padStart(7)} B  ${name}\n`);
  return summary.perRequest;
}

const upstream = await startChild('upstream', { chunks: 20 });
const children: Child[] = [upstream];
const table: string[] = [];
try {
  const runs: { label: string; role: ChildRole; entry?: string | undefined }[] = roles.map((role) => ({ label: role, role }));
  if (otherEntry) runs.push({ label: 'other', role: 'proxy', entry: otherEntry });
  for (const { label, role, entry } of runs) {
    const target = await startChild(role, { upstreamUrl: upstream.url }, [], entry);
    children.push(target);
    for (const kind of values.kinds.split(',')) {
      if (KINDS[kind]?.proxyOnly && role !== 'proxy') continue;
      if (!KINDS[kind]) throw new Error(`unknown kind ${kind}: one of ${Object.keys(KINDS).join(', ')}`);
      table.push(`${`${label} ${kind}`.padEnd(18)} ${kib(await allocationsPerRequest(target, role, kind, label))}`);
    }
    await target.stop();
  }
  process.stdout.write(`\nallocated a request:\n${table.join('\n')}\n`);
} finally {
  await Promise.all(children.map((child) => child.stop()));
}
