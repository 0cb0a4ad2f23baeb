/** What the soak reads of one memory sample (taken after a full GC). */
export interface MemorySample {
  rss: number;
  heapUsed: number;
}

export interface SoakDrift {
  /** (later floor − earlier floor) / earlier floor, of RSS and of the heap. */
  rss: number;
  heap: number;
  firstRss: number;
  lastRss: number;
  firstHeap: number;
  lastHeap: number;
}

/**
 * How much memory the soak's second half holds over its first: the lowest sample of each half compared, for RSS and
 * for the heap. A single RSS reading swings by 15% between one tenth of a soak and the next on this machine (pages
 * V8 and the allocator have not handed back yet, whatever just ran), which a leak does not: what a process leaks
 * stays, so it lifts the floor of its readings, while a transient only lifts one of them. Comparing the two ends
 * alone turned that swing into a −23% or a +14% "drift" of a flat process.
 */
export function soakDrift(samples: readonly MemorySample[]): SoakDrift {
  if (samples.length < 2) throw new Error('a soak needs at least two memory samples');
  const half = Math.floor(samples.length / 2);
  const first = samples.slice(0, half);
  const last = samples.slice(samples.length - half);
  const floor = (part: readonly MemorySample[], key: keyof MemorySample) => Math.min(...part.map((sample) => sample[key]));
  const firstRss = floor(first, 'rss');
  const lastRss = floor(last, 'rss');
  const firstHeap = floor(first, 'heapUsed');
  const lastHeap = floor(last, 'heapUsed');
  return { rss: (lastRss - firstRss) / firstRss, heap: (lastHeap - firstHeap) / firstHeap, firstRss, lastRss, firstHeap, lastHeap };
}
