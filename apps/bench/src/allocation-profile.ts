/** The parts of a V8 sampling heap profile (`HeapProfiler.stopSampling`, a `.heapprofile` file) read here. */
export interface HeapProfile {
  head: HeapProfileNode;
  samples: { size: number; nodeId: number }[];
}

export interface HeapProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children: HeapProfileNode[];
}

/** Sampled bytes by where they were allocated, each figure divided by the requests the profile covers. */
export interface AllocationSummary {
  perRequest: number;
  byPackage: [name: string, bytes: number][];
  byFunction: [name: string, bytes: number][];
}

/**
 * What a profile says a request allocates: its sampled bytes per request, by package (a workspace package, an npm
 * package, a Node module, or native code) and by allocating function, largest first. A function's bytes are its
 * own allocations; TurboFan inlining moves a callee's into its caller, so compare packages before functions.
 */
export function summarizeAllocations(profile: HeapProfile, requests: number): AllocationSummary {
  const bytesByNode = new Map<number, number>();
  for (const sample of profile.samples) bytesByNode.set(sample.nodeId, (bytesByNode.get(sample.nodeId) ?? 0) + sample.size);
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let total = 0;
  const pending = [profile.head];
  for (let node = pending.pop(); node; node = pending.pop()) {
    pending.push(...node.children);
    const bytes = bytesByNode.get(node.id);
    if (!bytes) continue;
    total += bytes;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = packageOf(url);
    byPackage.set(where, (byPackage.get(where) ?? 0) + bytes);
    const name = `${functionName || '(anonymous)'} ${shortPath(url)}:${lineNumber + 1}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + bytes);
  }
  const perRequestSorted = (table: Map<string, number>) =>
    [...table].map(([name, bytes]): [string, number] => [name, bytes / requests]).sort((a, b) => b[1] - a[1]);
  return { perRequest: total / requests, byPackage: perRequestSorted(byPackage), byFunction: perRequestSorted(byFunction) };
}

/** `@proxy/core`'s `packages/core`, an npm package's name, `node:http`'s module, or `(native)` for V8 and C++. */
export function packageOf(url: string): string {
  const npm = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (npm) return npm[1]!;
  const workspace = /\/((?:packages|apps)\/[^/]+)\//.exec(url);
  if (workspace) return workspace[1]!;
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  return url === '' ? '(native)' : url;
}

function shortPath(url: string): string {
  const npm = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?(.*)$/.exec(url);
  if (npm) return npm[1]!;
  const workspace = /\/((?:packages|apps)\/.*)$/.exec(url);
  return workspace ? workspace[1]! : url;
}
