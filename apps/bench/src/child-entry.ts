import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { startServer } from '@proxy/server';
import { startBaselineProxy } from './baseline-proxy.js';
import { BENCH_PROXY_KEY } from './bench-key.js';
import { startFastifyLibraryFloor } from './fastify-library-floor.js';
import { startFastifyPassThrough } from './fastify-pass-through.js';
import { startFastUpstream } from './fast-upstream.js';

/**
 * One bench participant per process, so each gets its own event loop and its memory can be read on its own:
 * `node child-entry.js <upstream|baseline|fastify|floor|proxy> '<json options>'`. Reports `{ port }` over IPC when listening and
 * answers `memory` requests (after a GC when started with --expose-gc) and `cpu` requests (µs of CPU used so far),
 * samples its allocations between `heap-start` and `heap-stop` (which writes the profile to `file`); exits on
 * `exit` (so --cpu-prof writes).
 */
interface ChildOptions {
  upstreamUrl?: string;
  chunks?: number;
  streamDelayMs?: number;
  keepaliveSeconds?: number;
}

const role = process.argv[2];
const options = JSON.parse(process.argv[3] ?? '{}') as ChildOptions;

async function start(): Promise<number> {
  switch (role) {
    case 'upstream':
      return (await startFastUpstream({ chunks: options.chunks, streamDelayMs: options.streamDelayMs })).port;
    case 'baseline':
      return (await startBaselineProxy(new URL(options.upstreamUrl!).origin)).port;
    case 'fastify':
      return (await startFastifyPassThrough(new URL(options.upstreamUrl!).origin)).port;
    case 'floor':
      return (await startFastifyLibraryFloor(new URL(options.upstreamUrl!).origin)).port;
    case 'proxy': {
      // As deployed: auth on, metrics on, logging at its default level (info: one line per request).
      const server = await startServer(
        {
          port: 0,
          auth: { api_keys: [BENCH_PROXY_KEY] },
          failure_handling: { keepalive_interval: options.keepaliveSeconds ?? 8 },
          backends: {
            nvidia: {
              type: 'nvidia',
              api_url: options.upstreamUrl,
              api_key: 'nvapi-bench-upstream-key',
              // Pacing on, at a rate no run reaches: the bench measures what the pacer costs while it lets everything through.
              rate_limit: { requests_per_minute: 100_000_000, max_wait: 60 },
            },
          },
        },
        { env: {} },
      );
      return Number(new URL(server.url).port);
    }
    default:
      throw new Error(`unknown role ${role}`);
  }
}

const port = await start();
let heap: Session | undefined;
process.on('message', (message: { cmd?: string; file?: string }) => {
  if (message.cmd === 'exit') process.exit(0);
  if (message.cmd === 'heap-start') {
    // Every allocation sampled, those already collected included: what a request allocates, not what it keeps.
    heap = new Session();
    heap.connect();
    void heap
      .post('HeapProfiler.startSampling', { samplingInterval: 256, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true })
      .then(() => process.send?.({ heap: 'started' }));
    return;
  }
  if (message.cmd === 'heap-stop' && heap && message.file) {
    const session = heap;
    const file = message.file;
    void session.post('HeapProfiler.stopSampling').then(({ profile }) => {
      writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
      process.send?.({ heap: 'written' });
    });
    return;
  }
  if (message.cmd === 'cpu') {
    const usage = process.cpuUsage();
    process.send?.({ cpu: usage.user + usage.system });
    return;
  }
  if (message.cmd !== 'memory') return;
  (globalThis as { gc?: () => void }).gc?.();
  process.send?.({ memory: process.memoryUsage() });
});
process.send?.({ port });
