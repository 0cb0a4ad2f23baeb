import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  httpVersion: string;
  /** The same number for requests that arrived on the same socket. */
  socketId: number;
}

export type Handler = (request: RecordedRequest, response: ServerResponse) => void | Promise<void>;

export interface RecordingServer {
  /** `http://127.0.0.1:<port>/v1`. */
  baseURL: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** A real `node:http` upstream on 127.0.0.1 that records every request (undici bypasses msw, so tests use sockets). */
export async function startRecordingServer(handler: Handler): Promise<RecordingServer> {
  const requests: RecordedRequest[] = [];
  const sockets = new Map<Socket, number>();
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (!sockets.has(req.socket)) sockets.set(req.socket, sockets.size + 1);
    const recorded: RecordedRequest = {
      method: req.method ?? '',
      path: req.url ?? '',
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
      httpVersion: req.httpVersion,
      socketId: sockets.get(req.socket) ?? 0,
    };
    requests.push(recorded);
    try {
      await handler(recorded, res);
    } catch {
      res.destroy();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(typeof body === 'string' ? body : JSON.stringify(body));
}

/** Writes each item as one SSE `data:` event, then `[DONE]`. */
export function sendSse(response: ServerResponse, events: readonly unknown[]): void {
  response.writeHead(200, { 'content-type': 'text/event-stream' });
  for (const event of events) response.write(`data: ${typeof event === 'string' ? event : JSON.stringify(event)}\n\n`);
  response.end('data: [DONE]\n\n');
}

export const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export const completion = {
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1,
  model: 'meta/llama3-70b',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Hello!' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 },
};

export const modelList = {
  object: 'list',
  data: [
    { id: 'meta/llama3-70b', object: 'model', owned_by: 'meta' },
    { id: 'stepfun-ai/step-3.5-flash', object: 'model', owned_by: 'stepfun-ai' },
  ],
};

export const userMessage = [{ role: 'user', content: 'Hello!' }];
