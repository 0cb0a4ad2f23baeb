import { parseArgs } from 'node:util';
import { BENCH_PROXY_KEY } from './bench-key.js';
import { startChild, type Child } from './child-process.js';
import { runLoad } from './load.js';
import { median } from './median.js';
import { JSON_BODY, STREAM_BODY } from './request-bodies.js';

/**
 * `node dist/cpu-per-request.js [--requests 6000] [--rounds 3]`: CPU time (user + system, read with
 * process.cpuUsage in the child) per request of the baseline and of the proxy as deployed, JSON and streaming, at 20
 * connections. On a small shared machine this is much steadier than req/s, which also counts the load generator's
 * and the upstream's share of the cores; the median of the rounds is printed.
 */
const { values } = parseArgs({ options: { requests: { type: 'string', default: '6000' }, rounds: { type: 'string', default: '3' } } });
const requests = Number(values.requests);
const rounds = Number(values.rounds);

const body = (stream: boolean) => (stream ? STREAM_BODY : JSON_BODY);
const headers = { authorization: `Bearer ${BENCH_PROXY_KEY}` };

async function microsPerRequest(target: Child, stream: boolean): Promise<number> {
  const url = `${target.url}/chat/completions`;
  await runLoad({ url, body: body(stream), connections: 20, amount: Math.ceil(requests / 4), headers });
  const before = await target.cpu();
  const result = await runLoad({ url, body: body(stream), connections: 20, amount: requests, headers });
  const after = await target.cpu();
  if (result.errors + result.non2xx > 0) throw new Error(`${result.errors + result.non2xx} failed requests`);
  return (after - before) / result.total;
}

const upstream = await startChild('upstream', { chunks: 20 });
const children: Child[] = [upstream];
try {
  for (const stream of [false, true]) {
    const row: string[] = [];
    for (const role of ['baseline', 'fastify', 'proxy'] as const) {
      const samples: number[] = [];
      for (let round = 0; round < rounds; round++) {
        const target = await startChild(role, { upstreamUrl: upstream.url });
        children.push(target);
        samples.push(await microsPerRequest(target, stream));
        await target.stop();
      }
      row.push(`${role} ${median(samples).toFixed(0)} µs (${samples.map((sample) => sample.toFixed(0)).join(', ')})`);
    }
    process.stdout.write(`${stream ? 'streaming' : 'JSON     '}  ${row.join('   ')}\n`);
  }
} finally {
  await Promise.all(children.map((child) => child.stop()));
}
