import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BENCH_PROXY_KEY } from './bench-key.js';
import { startChild, type Child, type ChildRole } from './child-process.js';
import { runLoad } from './load.js';
import { median } from './median.js';
import { JSON_BODY, MESSAGES_BODY, RESPONSES_BODY, STREAM_BODY } from './request-bodies.js';

/**
 * `node dist/ab-cpu.js [--other <checkout>] [--a-role proxy|floor] [--b-role proxy|baseline|fastify|floor]
 * [--mode stream|json|messages|responses] [--pairs 8] [--requests 4000]`: the CPU per request of this checkout's
 * proxy (A; or its library floor, fastify-library-floor.ts) against B: another built checkout's proxy (e.g. a
 * `git worktree` of an older commit), or this checkout's baseline, bare Fastify pass-through or library floor,
 * both running at once and loaded in alternating bursts (A B B A …). This machine's speed drifts
 * by ±15% from minute to minute (other tenants): runs of A and B made one after the other mix that drift into the
 * difference, while bursts seconds apart see the same machine, so the median of the per-pair ratios B/A shows
 * differences of a few percent. CPU is the processes' time on a core, summed over their threads (GC and compiler
 * threads included), read from /proc in nanoseconds (process.cpuUsage over IPC where /proc is missing).
 */
const { values } = parseArgs({
  options: {
    other: { type: 'string' },
    'a-role': { type: 'string', default: 'proxy' },
    'b-role': { type: 'string', default: 'proxy' },
    mode: { type: 'string', default: 'stream' },
    pairs: { type: 'string', default: '8' },
    requests: { type: 'string', default: '4000' },
  },
});
const aRole = values['a-role'] as ChildRole;
const bRole = values['b-role'] as ChildRole;
if ((bRole === aRole && !values.other) || !['proxy', 'floor'].includes(aRole) || !['proxy', 'baseline', 'fastify', 'floor'].includes(bRole)) {
  process.stderr.write(
    'usage: node dist/ab-cpu.js [--other <built checkout>] [--a-role proxy|floor] [--b-role proxy|baseline|fastify|floor] [--mode stream|json|messages|responses] [--pairs 8] [--requests 4000]\n',
  );
  process.exit(2);
}
const REQUESTS: Record<string, { path: string; body: string }> = {
  json: { path: 'chat/completions', body: JSON_BODY },
  stream: { path: 'chat/completions', body: STREAM_BODY },
  messages: { path: 'messages', body: MESSAGES_BODY },
  responses: { path: 'responses', body: RESPONSES_BODY },
};
const request = REQUESTS[values.mode];
if (!request) throw new Error(`unknown --mode ${values.mode}`);
const otherEntry = values.other ? join(resolve(values.other), 'apps/bench/dist/child-entry.js') : undefined;
const pairs = Number(values.pairs);
const requests = Number(values.requests);
const headers = { authorization: `Bearer ${BENCH_PROXY_KEY}`, 'x-api-key': BENCH_PROXY_KEY };

/** ns on a core so far, all threads of the process. */
async function cpuNs(child: Child): Promise<number> {
  try {
    let total = 0;
    for (const task of readdirSync(`/proc/${child.pid}/task`)) total += Number(readFileSync(`/proc/${child.pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
    return total;
  } catch {
    return (await child.cpu()) * 1000;
  }
}

async function burst(child: Child): Promise<number> {
  const url = `${child.url}/${request!.path}`;
  const before = await cpuNs(child);
  const result = await runLoad({ url, body: request!.body, connections: 20, amount: requests, headers });
  const after = await cpuNs(child);
  if (result.errors + result.non2xx > 0) throw new Error(`${result.errors + result.non2xx} failed requests`);
  return (after - before) / 1000 / result.total;
}

const upstream = await startChild('upstream', { chunks: 20 });
const a = await startChild(aRole, { upstreamUrl: upstream.url });
const b = await startChild(bRole, { upstreamUrl: upstream.url }, [], otherEntry);
try {
  // Until the JIT has settled: most optimisation is done after ~10,000 requests.
  for (const child of [a, b]) await runLoad({ url: `${child.url}/${request.path}`, body: request.body, connections: 20, amount: 10_000, headers });
  const ofA: number[] = [];
  const ofB: number[] = [];
  for (let pair = 0; pair < pairs; pair++) {
    const order = pair % 2 === 0 ? ([a, b] as const) : ([b, a] as const);
    for (const child of order) (child === a ? ofA : ofB).push(await burst(child));
  }
  const ratios = ofA.map((value, i) => ofB[i]! / value);
  const format = (list: number[]) => `${median(list).toFixed(1)} µs (${list.map((value) => value.toFixed(0)).join(', ')})`;
  process.stdout.write(`${values.mode}: A (${aRole} of this checkout) ${format(ofA)}\n`);
  process.stdout.write(`${values.mode}: B (${bRole}${values.other ? ` of ${values.other}` : ''}) ${format(ofB)}\n`);
  process.stdout.write(`${values.mode}: B / A median of pairs ${median(ratios).toFixed(3)} (${ratios.map((ratio) => ratio.toFixed(2)).join(', ')})\n`);
} finally {
  await Promise.all([a.stop(), b.stop(), upstream.stop()]);
}
