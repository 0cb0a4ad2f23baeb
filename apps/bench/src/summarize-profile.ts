import { readFileSync } from 'node:fs';
import { packageOf, shortFile } from './source-package.js';

/**
 * `node dist/summarize-profile.js <file.cpuprofile> [top]`: self time summed by function and by file (packages
 * collapsed to their name), the view that shows where a proxy's CPU goes without opening DevTools; then inclusive
 * (total) time by function and by package: the time of every sample with that function (package) anywhere on its
 * stack, counted once per sample, which shows what a whole subtree (a Fastify hook, relayChatStream) costs.
 */
interface ProfileNode {
  id: number;
  children?: number[];
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, topArg] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: node dist/summarize-profile.js <file.cpuprofile> [top]\n');
  process.exit(2);
}
const top = Number(topArg ?? 30);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const selfByNode = new Map<number, number>();
let total = 0;
profile.samples.forEach((id, i) => {
  // timeDeltas[i] is the time since the previous sample, spent in the frame sampled now.
  const delta = profile.timeDeltas[i] ?? 0;
  selfByNode.set(id, (selfByNode.get(id) ?? 0) + delta);
  total += delta;
});


const byFunction = new Map<string, number>();
const byFile = new Map<string, number>();
const byPackage = new Map<string, number>();
for (const [id, time] of selfByNode) {
  const frame = nodes.get(id)!.callFrame;
  const name = `${frame.functionName || '(anonymous)'} ${shortFile(frame.url)}:${frame.lineNumber + 1}`;
  byFunction.set(name, (byFunction.get(name) ?? 0) + time);
  byFile.set(shortFile(frame.url), (byFile.get(shortFile(frame.url)) ?? 0) + time);
  byPackage.set(packageOf(frame.url), (byPackage.get(packageOf(frame.url)) ?? 0) + time);
}

// Inclusive time: walk each sample's stack up to the root, crediting each function and package once.
const parentOf = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
const inclusiveByFunction = new Map<string, number>();
const inclusiveByPackage = new Map<string, number>();
let idle = 0;
profile.samples.forEach((id, i) => {
  const delta = profile.timeDeltas[i] ?? 0;
  const functions = new Set<string>();
  const packages = new Set<string>();
  for (let node: number | undefined = id; node !== undefined; node = parentOf.get(node)) {
    const frame = nodes.get(node)!.callFrame;
    if (frame.functionName === '(idle)') idle += delta;
    if (frame.functionName === '(root)') continue;
    functions.add(`${frame.functionName || '(anonymous)'} ${shortFile(frame.url)}:${frame.lineNumber + 1}`);
    packages.add(packageOf(frame.url));
  }
  for (const name of functions) inclusiveByFunction.set(name, (inclusiveByFunction.get(name) ?? 0) + delta);
  for (const name of packages) inclusiveByPackage.set(name, (inclusiveByPackage.get(name) ?? 0) + delta);
});

function print(title: string, map: Map<string, number>, limit: number): void {
  process.stdout.write(`\n${title}\n`);
  for (const [name, time] of [...map].sort((a, b) => b[1] - a[1]).slice(0, limit)) {
    process.stdout.write(`${((time / total) * 100).toFixed(1).padStart(5)}%  ${(time / 1000).toFixed(0).padStart(7)} ms  ${name}\n`);
  }
}
process.stdout.write(`${file}: ${(total / 1000).toFixed(0)} ms sampled\n`);
print('self time by package', byPackage, 20);
print('self time by file', byFile, top);
print('self time by function', byFunction, top);
process.stdout.write(`\n(idle ${((idle / total) * 100).toFixed(1)}%: percentages are of all sampled time, idle included)\n`);
print('inclusive time by package (on the stack at all)', inclusiveByPackage, 20);
print('inclusive time by function', inclusiveByFunction, top);
