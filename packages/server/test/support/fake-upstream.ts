import type { ServerResponse } from 'node:http';
import { sendJson, startRecordingUpstream, type RecordingHandler, type UpstreamRequest } from '@proxy/testkit/recording-upstream';
import { afterAll, afterEach, beforeAll } from 'vitest';

export { sendJson };

export interface FakeUpstream {
  /** OpenAI-style base URL, ending in `/v1`. */
  baseUrl: string;
  /** Chat completion requests, in order (catalog fetches are not recorded). */
  requests: UpstreamRequest[];
  /** Resolves with the chat request at `index` once it has arrived. */
  waitForRequest(index?: number): Promise<UpstreamRequest>;
  /** Replaces how chat completions are answered. `GET /v1/models` answers from `models`. */
  onChat(handler: RecordingHandler): void;
  models: string[];
  /** Back to answering `completion('hello')`, forgetting recorded requests. */
  reset(): void;
  close(): Promise<void>;
}

const DEFAULT_MODELS = ['meta/llama3-70b', 'org/model:tag'];

const isCatalog = (request: UpstreamRequest) => request.method === 'GET' && request.url === '/v1/models';

/**
 * The shared recording upstream (`@proxy/testkit/recording-upstream`) dressed as the proxy's backend: a model
 * catalog, chat answered by the test's handler, and only chat requests recorded.
 */
export async function startFakeUpstream(): Promise<FakeUpstream> {
  const answerHello: RecordingHandler = (_request, response) => sendJson(response, 200, completion('hello'));
  let chat = answerHello;
  const state = { models: [...DEFAULT_MODELS] };
  const upstream = await startRecordingUpstream(
    (request, response) => {
      if (!isCatalog(request)) return chat(request, response);
      sendJson(response, 200, { object: 'list', data: state.models.map((id) => ({ id, object: 'model', owned_by: 'test' })) });
    },
    { record: (request) => !isCatalog(request) },
  );
  return {
    baseUrl: upstream.url,
    requests: upstream.requests,
    waitForRequest: (index) => upstream.waitForRequest(index),
    onChat(handler) {
      chat = handler;
    },
    reset() {
      chat = answerHello;
      upstream.clear();
      state.models = [...DEFAULT_MODELS];
    },
    get models() {
      return state.models;
    },
    set models(value) {
      state.models = value;
    },
    close: () => upstream.close(),
  };
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

/** A step of streamEvents that never comes: the stream stays open until the test (or the proxy) ends it. */
export const NEVER: Promise<never> = new Promise(() => undefined);

/**
 * Writes SSE events; a promise among the steps holds the stream until it resolves (a gate the test opens once it
 * has seen what it waits for, or NEVER), so no step depends on the clock. Ends the response unless `end` is false.
 */
export async function streamEvents(response: ServerResponse, steps: readonly (string | Promise<unknown>)[], status = 200, end = true): Promise<void> {
  if (!response.headersSent) response.writeHead(status, { 'content-type': 'text/event-stream' });
  for (const step of steps) {
    if (response.destroyed) return;
    if (typeof step === 'string') response.write(`data: ${step}\n\n`);
    else await step;
  }
  if (end && !response.destroyed) response.end();
}

/** A promise the test opens when it has seen what it waits for: no race against the clock. */
export function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
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
