import { Agent, request } from 'undici';
import { median } from './median.js';

export interface Target {
  name: string;
  url: string;
  headers: Record<string, string>;
}

const agent = new Agent({ connections: 4, allowH2: false });

/** One request, read to the end. Returns [time to first body byte, total] in ms. */
export async function timeRequest(target: Target, body: string): Promise<[number, number]> {
  const started = performance.now();
  const response = await request(target.url, {
    method: 'POST',
    dispatcher: agent,
    headers: { 'content-type': 'application/json', ...target.headers },
    body,
  });
  let firstByte = 0;
  let tail = '';
  for await (const chunk of response.body) {
    if (!firstByte) firstByte = performance.now() - started;
    tail = (tail + (chunk as Buffer).toString('latin1')).slice(-32);
  }
  const total = performance.now() - started;
  if (response.statusCode !== 200) throw new Error(`${target.name} answered ${response.statusCode}`);
  // A fast answer is only worth timing if it is whole: a 200 with an empty or cut body must fail the bench.
  if (!tail.includes(streaming(body) ? 'data: [DONE]' : '}')) throw new Error(`${target.name} sent an incomplete answer: …${JSON.stringify(tail)}`);
  return [firstByte, total];
}

const streaming = (body: string) => (JSON.parse(body) as { stream?: unknown }).stream === true;

/** A target's median latencies, and its median total in each round (in round order, for paired comparisons). */
export interface LatencyResult {
  total: number;
  firstByte: number;
  roundTotals: number[];
}

/**
 * Sequential latency, the way independent gateway benchmarks measure it: rounds that interleave the targets (so
 * drift hits all alike; each round starts one target later), a median per target per round, then the median of
 * those round medians.
 */
export async function sequentialLatency(targets: Target[], body: string, rounds: number, perRound: number): Promise<Map<string, LatencyResult>> {
  const totals = new Map<string, number[]>(targets.map((t) => [t.name, []]));
  const firsts = new Map<string, number[]>(targets.map((t) => [t.name, []]));
  for (const target of targets) for (let i = 0; i < 20; i++) await timeRequest(target, body); // warm-up
  for (let round = 0; round < rounds; round++) {
    for (const target of targets.map((_, index) => targets[(index + round) % targets.length]!)) {
      const samples: [number, number][] = [];
      for (let i = 0; i < perRound; i++) samples.push(await timeRequest(target, body));
      firsts.get(target.name)!.push(median(samples.map((s) => s[0])));
      totals.get(target.name)!.push(median(samples.map((s) => s[1])));
    }
  }
  return new Map(
    targets.map((t) => [t.name, { total: median(totals.get(t.name)!), firstByte: median(firsts.get(t.name)!), roundTotals: totals.get(t.name)! }]),
  );
}

export async function closeLatencyAgent(): Promise<void> {
  await agent.close();
}
