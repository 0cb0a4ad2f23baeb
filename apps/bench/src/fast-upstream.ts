import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The bench's upstream: canned NIM-shaped answers from plain `node:http`, so its per-request cost is far below the
 * proxies' and the table measures them, not it. Streams send `chunks` content frames, a usage frame and `[DONE]`.
 * Not the shared recording upstream (@proxy/testkit/recording-upstream): it records nothing, so no per-request work.
 */
export interface FastUpstreamOptions {
  port?: number;
  /** Content frames per stream. */
  chunks?: number;
  /** Delay before a stream's first frame, and between frames (ms); 0 writes the stream at once. */
  streamDelayMs?: number;
}

const COMPLETION = JSON.stringify({
  id: 'chatcmpl-bench',
  object: 'chat.completion',
  created: 1_700_000_000,
  model: 'meta/llama3-70b-instruct',
  choices: [{ index: 0, message: { role: 'assistant', content: 'The quick brown fox jumps over the lazy dog.' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 12, completion_tokens: 10, total_tokens: 22 },
});
const MODELS = JSON.stringify({ object: 'list', data: [{ id: 'meta/llama3-70b-instruct', object: 'model', created: 0, owned_by: 'meta' }] });

function frame(delta: object, finish: string | null = null): string {
  const chunk = { id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'meta/llama3-70b-instruct', choices: [{ index: 0, delta, finish_reason: finish }] };
  return `data: ${JSON.stringify(chunk)}\n\n`;
}

export function streamFrames(chunks: number): string[] {
  const frames = [frame({ role: 'assistant', content: '' })];
  for (let i = 0; i < chunks; i++) frames.push(frame({ content: `token${i} ` }));
  frames.push(frame({}, 'stop'));
  frames.push(`data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', choices: [], usage: { prompt_tokens: 12, completion_tokens: chunks, total_tokens: 12 + chunks } })}\n\n`);
  frames.push('data: [DONE]\n\n');
  return frames;
}

export async function startFastUpstream(options: FastUpstreamOptions = {}): Promise<{ server: Server; url: string; port: number }> {
  const frames = streamFrames(options.chunks ?? 20);
  const wholeStream = frames.join('');
  const delay = options.streamDelayMs ?? 0;
  const server = createServer((req, res) => {
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(MODELS) });
      res.end(MODELS);
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const streaming = Buffer.concat(chunks).includes('"stream":true');
      if (!streaming) {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(COMPLETION) });
        res.end(COMPLETION);
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      if (delay === 0) {
        res.end(wholeStream);
        return;
      }
      let next = 0;
      const timer = setInterval(() => {
        if (res.destroyed) return clearInterval(timer);
        res.write(frames[next++]);
        if (next === frames.length) {
          clearInterval(timer);
          res.end();
        }
      }, delay);
      res.on('close', () => clearInterval(timer));
    });
  });
  server.keepAliveTimeout = 60_000;
  // The proxy opens up to 2,000 upstream connections at once: Node's default backlog (511) would drop SYNs.
  await new Promise<void>((resolve) => server.listen({ port: options.port ?? 0, host: '127.0.0.1', backlog: 4096 }, resolve));
  const { port } = server.address() as AddressInfo;
  return { server, port, url: `http://127.0.0.1:${port}/v1` };
}
