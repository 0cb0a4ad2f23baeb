import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BENCH_PROXY_KEY } from './bench-key.js';
import { startChild, type Child, type ChildRole } from './child-process.js';
import { runLoad } from './load.js';
import { attribute, parsePerfScript, type Attribution } from './perf-script.js';
import { JSON_BODY, STREAM_BODY } from './request-bodies.js';

/**
 * `node dist/perf-attribution.js [--mode stream|json] [--requests 30000] [--top 40] [roles…]`: where each
 * participant's CPU goes per request, measured with Linux `perf` (a software clock, so it also works in a VM), every
 * sample charged to the first JavaScript frame on its stack with the native time below it. Roles default to
 * `fastify proxy`; the table is sorted by how much more the last role spends than the first. This is what found
 * the costs a V8 CPU profile hid (pino's line building, `JSON.parse` of the usage frame, an object spread): in a
 * `--cpu-prof` profile the proxy looked 4% dearer than the Fastify pass-through, `perf` measured 20%.
 */
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    mode: { type: 'string', default: 'stream' },
    requests: { type: 'string', default: '30000' },
    top: { type: 'string', default: '40' },
  },
});
const roles = (positionals.length > 0 ? positionals : ['fastify', 'proxy']) as Exclude<ChildRole, 'upstream'>[];
const requests = Number(values.requests);
const FREQUENCY_HZ = 2000;

try {
  execFileSync('perf', ['--version'], { stdio: 'ignore' });
} catch {
  process.stderr.write('perf-attribution needs Linux perf (`apt install linux-perf`); skipped\n');
  process.exit(0);
}

const body = values.mode === 'stream' ? STREAM_BODY : JSON_BODY;
const headers = { authorization: `Bearer ${BENCH_PROXY_KEY}` };
const dir = mkdtempSync(join(tmpdir(), 'perf-attribution-'));
const upstream = await startChild('upstream', { chunks: 20 });
const results: Attribution[] = [];
try {
  for (const role of roles) {
    // Symbols for JIT code (written to /tmp/perf-<pid>.map), and interpreted frames on the native stack.
    const target: Child = await startChild(role, { upstreamUrl: upstream.url }, ['--perf-basic-prof-only-functions', '--interpreted-frames-native-stack']);
    try {
      const url = `${target.url}/chat/completions`;
      await runLoad({ url, body, connections: 50, amount: Math.ceil(requests / 4), headers }); // warm-up
      const data = join(dir, `${role}.data`);
      const recorder = spawn('perf', ['record', '-e', 'cpu-clock', '-F', String(FREQUENCY_HZ), '-g', '-p', String(target.pid), '-o', data], { stdio: 'ignore' });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const load = await runLoad({ url, body, connections: 50, amount: requests, headers });
      const stopped = new Promise((resolve) => recorder.once('exit', resolve));
      recorder.kill('SIGINT');
      await stopped;
      const script = execFileSync('perf', ['script', '-i', data], { maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'ignore'] }).toString();
      results.push(attribute(parsePerfScript(script), 1e6 / FREQUENCY_HZ, load.total));
      process.stderr.write(`${role}: ${load.total} requests, ${Math.round(load.requestsPerSecond)} req/s\n`);
    } finally {
      await target.stop();
      rmSync(`/tmp/perf-${target.pid}.map`, { force: true });
    }
  }
} finally {
  await upstream.stop();
  rmSync(dir, { recursive: true, force: true });
}

const top = Number(values.top);
const print = (title: string, pick: (result: Attribution) => Map<string, number>, limit: number) => {
  const keys = new Set(results.flatMap((result) => [...pick(result).keys()]));
  const value = (result: Attribution, key: string) => pick(result).get(key) ?? 0;
  const rows = [...keys].sort((a, b) => value(results.at(-1)!, b) - value(results[0]!, b) - (value(results.at(-1)!, a) - value(results[0]!, a)));
  process.stdout.write(`\n${title} (µs per request: ${roles.join(' | ')})\n`);
  for (const key of rows.slice(0, limit)) process.stdout.write(`${results.map((result) => value(result, key).toFixed(2).padStart(8)).join(' ')}  ${key}\n`);
};
process.stdout.write(`total CPU per request: ${results.map((result) => result.total.toFixed(1)).join(' | ')} µs (${values.mode})\n`);
print('by package', (result) => result.byPackage, 25);
print('by first JS frame', (result) => result.byFunction, top);
