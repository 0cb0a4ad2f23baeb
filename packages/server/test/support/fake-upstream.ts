import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll } from 'vitest';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** Resolves when the proxy closed this request's connection or the response ended. */
  closed: Promise<void>;
  /** True when the connection closed before the response finished: the proxy cancelled the call. */
  cancelled: () => boolean;
}

export type UpstreamHandler = (request: RecordedRequest, response: ServerResponse) => void | Promise<void>;

export interface FakeUpstream {
  /** OpenAI-style base URL, ending in `/v1`. */
  baseUrl: string;
  /** Chat completion requests, in order (catalog fetches are not recorded). */
  requests: RecordedRequest[];
  /** Replaces how chat completions are answered. `GET /v1/models` answers from `models`. */
  onChat(handler: UpstreamHandler): void;
  models: string[];
  /** Back to answering `completion('hello')`, forgetting recorded requests. */
  reset(): void;
  close(): Promise<void>;
}

const DEFAULT_MODELS = ['meta/llama3-70b', 'org/model:tag'];

/** A real HTTP upstream on 127.0.0.1:0 (msw cannot intercept undici's own requests). */
export async function startFakeUpstream(): Promise<FakeUpstream> {
  const answerHello: UpstreamHandler = (_request, response) => sendJson(response, 200, completion('hello'));
  let chat = answerHello;
  const requests: RecordedRequest[] = [];
  const state = { models: [...DEFAULT_MODELS] };
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let finished = false;
    res.once('finish', () => (finished = true));
    const closed = once(res, 'close').then(() => undefined);
    const recorded: RecordedRequest = {
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
      closed,
      cancelled: () => !finished,
    };
    if (req.method === 'GET' && req.url === '/v1/models') {
      sendJson(res, 200, { object: 'list', data: state.models.map((id) => ({ id, object: 'model', owned_by: 'test' })) });
      return;
    }
    requests.push(recorded);
    await chat(recorded, res);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    onChat(handler) {
      chat = handler;
    },
    reset() {
      chat = answerHello;
      requests.length = 0;
      state.models = [...DEFAULT_MODELS];
    },
    get models() {
      return state.models;
    },
    set models(value) {
      state.models = value;
    },
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  response.end(text);
}

export function completion(content: string, usage = { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 }) {
  return {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1,
    model: 'meta/llama3-70b',
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    usage,
  };
}

export function chunk(content: string | null, extra: Record<string, unknown> = {}) {
  return JSON.stringify({
    id: 'chatcmpl-1',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'meta/llama3-70b',
    choices: [{ index: 0, delta: content === null ? {} : { content }, finish_reason: null }],
    ...extra,
  });
}

export const usageChunk = (usage = { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 }) =>
  JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'meta/llama3-70b', choices: [], usage });

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Writes SSE events, sleeping where a number is given; ends the response unless `end` is false. */
export async function streamEvents(response: ServerResponse, steps: readonly (string | number)[], status = 200, end = true): Promise<void> {
  if (!response.headersSent) response.writeHead(status, { 'content-type': 'text/event-stream' });
  for (const step of steps) {
    if (response.destroyed) return;
    if (typeof step === 'number') await sleep(step);
    else response.write(`data: ${step}\n\n`);
  }
  if (end) response.end();
}

/**
 * One fake upstream for a test file: started before its tests, reset (and the test's proxy closed) after each,
 * closed after all. Returns an accessor, valid inside tests and hooks.
 */
export function useFakeUpstream(currentProxy: () => { close(): Promise<unknown> } | undefined): () => FakeUpstream {
  let upstream: FakeUpstream | undefined;
  beforeAll(async () => {
    upstream = await startFakeUpstream();
  });
  afterAll(async () => {
    await upstream?.close();
    upstream = undefined;
  });
  afterEach(async () => {
    await currentProxy()?.close();
    upstream?.reset();
  });
  return () => {
    if (!upstream) throw new Error('useFakeUpstream: the fake upstream runs only inside the suite (tests and hooks)');
    return upstream;
  };
}
