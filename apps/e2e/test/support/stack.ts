import { Socket } from 'node:net';
import { startServer, type RunningServer } from '@proxy/server';
import { DEFAULT_API_KEY } from '@proxy/testkit';
import { startMockNim, type MockNimServer, type StartMockNimOptions } from '@proxy/testkit/node';
import { Agent, request, type Dispatcher } from 'undici';
import { expect } from 'vitest';

export const PROXY_KEY = 'sk-proxy-reliability-key-7f3a9c';
export const UPSTREAM_KEY = 'nvapi-upstream-reliability-key-51d2e8';
export const MODEL = 'meta/llama3-70b-instruct';

export interface StackOptions {
  mock?: StartMockNimOptions;
  /** Merged over the stack's configuration. */
  config?: Record<string, unknown>;
  /** Passed to every connector (fault injection below the connector). */
  dispatcher?: Dispatcher;
  env?: Record<string, string>;
}

/**
 * The real proxy (startServer, listening) in front of the listening mock NIM, with every log line captured. Backends:
 * `nvidia` (the NIM connector) and `fast` (the plain OpenAI-compatible connector with a 2 s silence timeout, for the
 * timeout faults NIM's 300 s floor would make too slow to test).
 */
export interface Stack {
  mock: MockNimServer;
  proxy: RunningServer;
  baseURL: string;
  /** Every JSON log line the proxy wrote. */
  logs: string[];
  /** A client whose sockets close after each request, so no connection outlives a test. */
  agent: Agent;
  close(): Promise<void>;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const mock = await startMockNim({ apiKey: UPSTREAM_KEY, ...options.mock });
  const logs: string[] = [];
  const extra = options.config ?? {};
  const proxy = await startServer(
    {
      host: '127.0.0.1',
      port: 0,
      auth: { api_keys: [PROXY_KEY] },
      logging: { level: 'info' },
      default_backend: 'nvidia',
      shutdown_grace_period: 5,
      ...extra,
      failure_handling: { keepalive_interval: 2, retry_base_delay: 0.05, retry_max_delay: 2, ...(extra.failure_handling as object) },
      backends: {
        nvidia: { type: 'nvidia', api_url: mock.url, api_key: UPSTREAM_KEY },
        fast: { type: 'openai', api_url: mock.url, api_key: UPSTREAM_KEY, timeout: 2, models: [MODEL] },
        ...(extra.backends as object),
      },
    },
    {
      env: options.env ?? {},
      logDestination: { write: (line: string) => logs.push(line) },
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    },
  );
  const agent = new Agent({ keepAliveTimeout: 10, keepAliveMaxTimeout: 10, connections: 2000 });
  return {
    mock,
    proxy,
    baseURL: `${proxy.url}/v1`,
    logs,
    agent,
    async close() {
      await agent.close();
      await proxy.close();
      await mock.close();
    },
  };
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

export function chatBody(overrides: Record<string, unknown> = {}, content = 'Hello there'): Record<string, unknown> {
  return { model: `nvidia:${MODEL}`, messages: [{ role: 'user', content }], ...overrides };
}

/** POST /v1/chat/completions with the proxy key; the whole answer read. */
export async function postChat(stack: Stack, body: unknown, init: { headers?: Record<string, string>; signal?: AbortSignal } = {}): Promise<HttpAnswer> {
  const response = await request(`${stack.baseURL}/chat/completions`, {
    method: 'POST',
    dispatcher: stack.agent,
    headers: { authorization: `Bearer ${PROXY_KEY}`, 'content-type': 'application/json', ...init.headers },
    body: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
    signal: init.signal,
  });
  return { status: response.statusCode, headers: response.headers, text: await response.body.text() };
}

/** The `data:` payloads of an SSE body, in order. */
export function sseData(text: string): string[] {
  return text
    .split(/\r?\n/)
    .filter((line) => line.startsWith('data:'))
    .map((line) => line.slice(5).trim());
}

/** Asserts the OpenAI error shape `{"error":{"message","type","param","code"}}` and returns the error. */
export function expectOpenAIError(json: unknown): { message: string; type: string; param: unknown; code: unknown } {
  expect(json).toEqual({
    error: {
      message: expect.any(String),
      type: expect.any(String),
      param: expect.toSatisfy((value: unknown) => value === null || typeof value === 'string'),
      code: expect.toSatisfy((value: unknown) => value === null || typeof value === 'string'),
    },
  });
  return (json as { error: { message: string; type: string; param: unknown; code: unknown } }).error;
}

/** A streaming answer that failed after 200: an error event, then the end (no `[DONE]`). */
export function expectStreamError(answer: HttpAnswer, code?: string): void {
  expect(answer.status).toBe(200);
  const events = sseData(answer.text);
  expect(events).not.toContain('[DONE]');
  const error = expectOpenAIError(JSON.parse(events.at(-1)!));
  if (code) expect(error.code).toBe(code);
}

export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Open sockets whose local port is `port`: the server side of a listener's connections, e.g. the mock's. */
export function openSocketsOn(port: number): number {
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
  return handles.filter((handle) => handle instanceof Socket && !handle.destroyed && handle.localPort === port).length;
}

export function proxyConnections(stack: Stack): Promise<number> {
  return new Promise((resolve, reject) => stack.proxy.app.server.getConnections((error, count) => (error ? reject(error) : resolve(count))));
}

export async function metricsText(stack: Stack): Promise<string> {
  const response = await request(`${stack.proxy.url}/metrics`, { dispatcher: stack.agent });
  return response.body.text();
}

/** Sum of a metric's samples whose labels include every `labels` pair. */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || (line[name.length] !== '{' && line[name.length] !== ' ')) continue;
    if (!Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`))) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

/** Counts of the process's active resources by type (timers, sockets, servers…). */
export function activeResources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
}

/** Waits until no resource type has more instances than in `baseline`. */
export async function expectResourcesBackTo(baseline: Record<string, number>, timeoutMs = 5000): Promise<void> {
  const excess = () =>
    Object.entries(activeResources()).filter(([type, count]) => count > (baseline[type] ?? 0) && type !== 'CloseReq');
  await waitFor(() => excess().length === 0, timeoutMs, `resources back to baseline (excess: ${JSON.stringify(excess())})`).catch(() => {
    expect(Object.fromEntries(excess())).toEqual({});
  });
}

/** The stack stays healthy: a plain completion right after a fault succeeds. */
export async function expectHealthy(stack: Stack, backend = 'nvidia'): Promise<void> {
  const answer = await postChat(stack, chatBody({ model: `${backend}:${MODEL}` }, 'still alive?'));
  expect(answer.status).toBe(200);
  expect(JSON.parse(answer.text).choices[0].message.content).toBe('You said: still alive?');
}

export { DEFAULT_API_KEY };
