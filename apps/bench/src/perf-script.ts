import { packageOf } from './source-package.js';

/**
 * Reads `perf script` output of a Node process run with `--perf-basic-prof` and charges every sample, native frames
 * included (V8 builtins and runtime, libuv, libc, the kernel's side of a syscall), to the first JavaScript frame on
 * its stack. A V8 CPU profile charges much of that time to "(program)" or to no function at all; here, for example,
 * a `writev` counts against the JS function that called it and `JSON.parse` against its caller.
 */

/** One sampled stack, innermost frame first. */
export type PerfSample = readonly string[];

/** The samples of `perf script` text: one block per sample, a header line and one line per frame. */
export function parsePerfScript(text: string): PerfSample[] {
  const samples: PerfSample[] = [];
  for (const block of text.split(/\n\s*\n/)) {
    const lines = block.split('\n').filter((line) => line.trim() !== '');
    if (lines.length < 2) continue;
    samples.push(lines.slice(1).map(frameSymbol));
  }
  return samples;
}

/** `\t  7fef…  JS:*relayChatStream file:///…/relay.js:10:38+0x53 (/tmp/perf-1.map)` → `JS:*relayChatStream file:///…/relay.js:10:38`. */
function frameSymbol(line: string): string {
  const text = line.trim().replace(/^[0-9a-f]+\s+/, '');
  const dso = text.lastIndexOf(' (');
  const symbol = dso === -1 ? text : text.slice(0, dso);
  const kernel = dso !== -1 && text.includes('[kernel', dso);
  return (kernel ? '[kernel] ' : '') + symbol.replace(/\+0x[0-9a-f]+$/, '');
}

const isJsFrame = (frame: string): boolean => frame.startsWith('JS:');

/**
 * `JS:*name file:///work/x/node_modules/.pnpm/fastify@5/node_modules/fastify/lib/a.js:1:2` → `fastify`: the
 * frame's source (its last word, less line and column) classified as in the CPU-profile summary.
 */
export function packageOfFrame(jsFrame: string): string {
  if (jsFrame.startsWith('JS:wasm')) return 'wasm';
  const source = jsFrame.slice(jsFrame.lastIndexOf(' ') + 1).replace(/(:\d+)+$/, '');
  return jsFrame.includes(' ') && source !== '' ? packageOf(source) : 'js (other)';
}

export interface Attribution {
  /** µs per request by the first JS frame on the stack (natives below it included); `(no JS)` for the rest. */
  byFunction: Map<string, number>;
  /** The same, summed by that frame's package. */
  byPackage: Map<string, number>;
  /** All sampled time per request. */
  total: number;
}

/** Each sample stands for `sampleMicros` of CPU; figures are divided by the request count. */
export function attribute(samples: readonly PerfSample[], sampleMicros: number, requests: number): Attribution {
  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  const share = sampleMicros / requests;
  for (const frames of samples) {
    const js = frames.find(isJsFrame);
    const name = js ? js.replace(/^JS:[*^~]?/, '') : '(no JS)';
    const pkg = js ? packageOfFrame(js) : '(no JS)';
    byFunction.set(name, (byFunction.get(name) ?? 0) + share);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + share);
  }
  return { byFunction, byPackage, total: samples.length * share };
}
