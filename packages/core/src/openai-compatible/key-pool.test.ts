import { sendJson, sendSse, startRecordingUpstream, type RecordingUpstream } from '@proxy/testkit/recording-upstream';
import { afterEach, describe, expect, it } from 'vitest';
import type { KeyUseReport } from '../connector.js';
import type { ProxyError } from '../errors/proxy-error.js';
import type { KeyLease, KeyLimiter } from '../limits/key-limiter.js';
import type { ChatCompletionRequest } from '../schemas/chat-request.js';
import { OpenAICompatibleConnector } from './openai-compatible-connector.js';

const request: ChatCompletionRequest = { model: 'm', messages: [{ role: 'user', content: 'Hi' }] };
const completion = { id: 'c1', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }] };
const KEYS = ['sk-pool-key-a', 'sk-pool-key-b'];

/** A limiter that hands out keys in a scripted order and writes down what the connector told it. */
class ScriptedLimiter implements KeyLimiter {
  readonly size = KEYS.length;
  readonly calls: string[] = [];
  released = 0;
  /** The key the next acquisition starts from (in turn from there). */
  next = 0;
  readonly #removed = new Set<number>();
  acquire(_signal: unknown, retried: boolean, avoid?: ReadonlySet<number>): KeyLease {
    let index = this.next++ % this.size;
    if (this.#removed.has(index) || (avoid?.has(index) && this.hasOtherKey(index, avoid))) index = (index + 1) % this.size;
    this.calls.push(`acquire ${index}${retried ? ' retried' : ''}${avoid ? ` avoiding ${[...avoid].join(',')}` : ''}`);
    return { index, queuedMs: 5, release: () => void this.released++ };
  }
  rest(index: number, ms: number | undefined): void {
    this.calls.push(`rest ${index} ${ms}`);
  }
  remove(index: number, status: number): boolean {
    this.calls.push(`remove ${index} ${status}`);
    this.#removed.add(index);
    return this.hasOtherKey(index);
  }
  hasOtherKey(index: number, avoid?: ReadonlySet<number>): boolean {
    return [0, 1].some((other) => other !== index && !this.#removed.has(other) && !avoid?.has(other));
  }
}

let upstream: RecordingUpstream | undefined;
let connector: OpenAICompatibleConnector | undefined;
afterEach(async () => {
  await connector?.close();
  await upstream?.close();
  connector = upstream = undefined;
});

const bearer = (key: string) => `Bearer ${key}`;

describe('OpenAICompatibleConnector: a key pool', () => {
  it('sends each attempt with the key the limiter chose, rests a key NIM answered 429 and moves to the other', async () => {
    upstream = await startRecordingUpstream((req, res) =>
      req.headers.authorization === bearer(KEYS[0]!) ? sendJson(res, 429, { status: 429, title: 'Too Many Requests' }, { 'retry-after': '7' }) : sendJson(res, 200, completion),
    );
    const limiter = new ScriptedLimiter();
    connector = new OpenAICompatibleConnector({ name: 't', baseURL: upstream.url, apiKeys: KEYS, keyLimiter: limiter });
    const report: KeyUseReport = {};
    await connector.chatCompletion(request, { report });
    expect(upstream.requests.map((sent) => sent.headers.authorization)).toEqual([bearer(KEYS[0]!), bearer(KEYS[1]!)]);
    expect(limiter.calls).toEqual(['acquire 0', 'rest 0 7000', 'acquire 1 retried']);
    expect(report).toEqual({ keyIndex: 1, queuedMs: 10, attempts: 2 });
    expect(limiter.released).toBe(2);
    // The server's retry of the same request calls again with the same report: its first slot is a retry's too, so
    // a refusal tells the client the proxy already tried (x-should-retry: false).
    await connector.chatCompletion(request, { report });
    expect(limiter.calls[3]).toBe('acquire 0 retried');
    expect(report.attempts).toBe(4);
  });

  it('rests a key with no Retry-After for the limiter to decide (undefined), and gives up after one attempt per key', async () => {
    upstream = await startRecordingUpstream((_req, res) => sendJson(res, 429, { status: 429, title: 'Too Many Requests' }));
    const limiter = new ScriptedLimiter();
    connector = new OpenAICompatibleConnector({ name: 't', baseURL: upstream.url, apiKeys: KEYS, keyLimiter: limiter });
    const error = (await connector.chatCompletion(request).catch((reason: unknown) => reason)) as ProxyError;
    expect(error.status).toBe(429);
    expect(limiter.calls).toEqual(['acquire 0', 'rest 0 undefined', 'acquire 1 retried', 'rest 1 undefined']);
    expect(upstream.requests).toHaveLength(2);
  });

  it("keeps a key NIM refused (401) from the request's model, serves it with another, and takes the key out at a 401 for a second model", async () => {
    upstream = await startRecordingUpstream((req, res) =>
      req.headers.authorization === bearer(KEYS[0]!) ? sendJson(res, 401, `bad key ${KEYS[0]}`) : sendSse(res, [{ id: 'c', choices: [{ index: 0, delta: { content: 'x' }, finish_reason: 'stop' }] }]),
    );
    const limiter = new ScriptedLimiter();
    const warnings: unknown[] = [];
    const log = { warn: (fields: Record<string, unknown>) => void warnings.push(fields), debug: () => undefined };
    connector = new OpenAICompatibleConnector({ name: 't', baseURL: upstream.url, apiKeys: KEYS, keyLimiter: limiter });
    const stream = await connector.streamChatCompletion(request, { log });
    for await (const read of stream) void read;
    expect(limiter.released).toBe(2); // the refused attempt's slot, and the stream's once its body ended
    expect(limiter.calls).toEqual(['acquire 0', 'acquire 1 retried avoiding 0']);
    expect(warnings).toEqual([{ backend: 't', key_index: 0, model: 'm', status: 401 }]);
    // The same model again: key 0 is passed over at once.
    await (await connector.streamChatCompletion(request)).cancel();
    expect(limiter.calls[2]).toBe('acquire 1 avoiding 0');
    // Another model is sent to key 0 again; its 401 there shows the key is bad (it served nothing in between).
    limiter.next = 0;
    const other = await connector.streamChatCompletion({ ...request, model: 'n' });
    other.cancel();
    expect(limiter.calls.slice(3)).toEqual(['acquire 0', 'remove 0 401', 'acquire 1 retried']);
    expect(JSON.stringify(warnings)).not.toContain(KEYS[0]);
  });

  it("answers a pool of one's 401 with NIM's own, keeping the key and keeping it from nothing", async () => {
    upstream = await startRecordingUpstream((_req, res) => sendJson(res, 401, { status: 401, title: 'Unauthorized' }));
    const warnings: unknown[] = [];
    const log = { warn: (fields: Record<string, unknown>) => void warnings.push(fields), debug: () => undefined };
    connector = new OpenAICompatibleConnector({ name: 't', baseURL: upstream.url, apiKeys: [KEYS[0]!] });
    for (let i = 0; i < 2; i++) expect(((await connector.chatCompletion(request, { log }).catch((error: unknown) => error)) as ProxyError).status).toBe(401);
    expect(upstream.requests).toHaveLength(2);
    expect(warnings).toEqual([]);
  });

  it('takes a key NIM answered 403 (Authorization failed) out at once', async () => {
    upstream = await startRecordingUpstream((req, res) =>
      req.headers.authorization === bearer(KEYS[0]!) ? sendJson(res, 403, { status: 403, title: 'Forbidden', detail: 'Authorization failed' }) : sendJson(res, 200, completion),
    );
    const limiter = new ScriptedLimiter();
    connector = new OpenAICompatibleConnector({ name: 't', baseURL: upstream.url, apiKeys: KEYS, keyLimiter: limiter });
    await connector.chatCompletion(request);
    expect(limiter.calls).toEqual(['acquire 0', 'remove 0 403', 'acquire 1 retried']);
  });

  it('without a limiter, uses the keys in turn', async () => {
    upstream = await startRecordingUpstream((_req, res) => sendJson(res, 200, completion));
    connector = new OpenAICompatibleConnector({ name: 't', baseURL: upstream.url, apiKeys: KEYS });
    for (let i = 0; i < 3; i++) await connector.chatCompletion(request);
    expect(upstream.requests.map((sent) => sent.headers.authorization)).toEqual([bearer(KEYS[0]!), bearer(KEYS[1]!), bearer(KEYS[0]!)]);
    expect(connector.keyCount).toBe(2);
  });
});
