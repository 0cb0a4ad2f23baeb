import { Agent, request } from 'undici';
import type { Child } from './child-process.js';

export interface ConcurrentStreamsResult {
  streams: number;
  completed: number;
  dropped: number;
  keepalivesSeen: number;
  peakRssMiB: number;
  peakHeapMiB: number;
}

/**
 * Opens `count` slow streams through the proxy at once and holds them until they end, sampling the proxy's memory.
 * A stream counts as completed when it ends with `[DONE]`; anything else (error, status, early end) is dropped.
 */
export async function concurrentStreams(proxy: Child, headers: Record<string, string>, count: number): Promise<ConcurrentStreamsResult> {
  const agent = new Agent({ connections: count + 10, allowH2: false, headersTimeout: 120_000, bodyTimeout: 120_000 });
  const body = JSON.stringify({ model: 'nvidia:meta/llama3-70b-instruct', stream: true, messages: [{ role: 'user', content: 'slow' }] });
  let peakRss = 0;
  let peakHeap = 0;
  let keepalivesSeen = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const memory = await proxy.memory();
      peakRss = Math.max(peakRss, memory.rss);
      peakHeap = Math.max(peakHeap, memory.heapUsed);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  })();
  const one = async (): Promise<boolean> => {
    try {
      const response = await request(`${proxy.url}/chat/completions`, { method: 'POST', dispatcher: agent, headers: { 'content-type': 'application/json', ...headers }, body });
      if (response.statusCode !== 200) {
        await response.body.dump();
        return false;
      }
      let tail = '';
      for await (const chunk of response.body) {
        const text = (chunk as Buffer).toString('utf8');
        keepalivesSeen += text.split('"delta":{},"finish_reason":null').length - 1;
        tail = (tail + text).slice(-64);
      }
      return tail.includes('data: [DONE]');
    } catch {
      return false;
    }
  };
  const results = await Promise.all(Array.from({ length: count }, one));
  sampling = false;
  await sampler;
  await agent.close();
  const completed = results.filter(Boolean).length;
  return {
    streams: count,
    completed,
    dropped: count - completed,
    keepalivesSeen,
    peakRssMiB: peakRss / 2 ** 20,
    peakHeapMiB: peakHeap / 2 ** 20,
  };
}
