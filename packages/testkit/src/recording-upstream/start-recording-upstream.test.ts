import { Agent, request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { sendJson, sendSse } from './respond.js';
import { startRecordingUpstream, type RecordingUpstream } from './start-recording-upstream.js';

let upstream: RecordingUpstream | undefined;
afterEach(async () => {
  await upstream?.close();
  upstream = undefined;
});

describe('startRecordingUpstream', () => {
  it('records method, path, version, headers and body, and answers with the handler', async () => {
    upstream = await startRecordingUpstream((_request, response) => sendJson(response, 201, { ok: true }, { 'x-extra': '1' }));
    const answer = await request(`${upstream.url}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer k' }, body: '{"a":1}' });
    expect(answer.statusCode).toBe(201);
    expect(answer.headers['x-extra']).toBe('1');
    expect(await answer.body.json()).toEqual({ ok: true });
    expect(upstream.requests).toHaveLength(1);
    expect(upstream.requests[0]).toMatchObject({ method: 'POST', url: '/v1/chat/completions', httpVersion: '1.1', body: '{"a":1}', socketId: 1 });
    expect(upstream.requests[0]!.headers.authorization).toBe('Bearer k');
    await upstream.requests[0]!.closed;
    expect(upstream.requests[0]!.cancelled()).toBe(false);
  });

  it('numbers connections, so a reused socket shows as the same socketId', async () => {
    upstream = await startRecordingUpstream((_request, response) => sendJson(response, 200, {}));
    const pool = new Agent({ connections: 1 });
    try {
      for (let i = 0; i < 3; i++) await (await request(upstream.url, { dispatcher: pool })).body.dump();
    } finally {
      await pool.close();
    }
    expect(upstream.requests.map((entry) => entry.socketId)).toEqual([1, 1, 1]);
    expect(upstream.connections).toBe(1);
  });

  it('resolves waitForRequest when the request arrives, and reports a client that left as cancelled', async () => {
    upstream = await startRecordingUpstream(() => undefined); // never answers
    const controller = new AbortController();
    const pending = request(upstream.url, { signal: controller.signal }).catch((error: unknown) => error);
    const arrived = await upstream.waitForRequest(0);
    controller.abort();
    await pending;
    await arrived.closed;
    expect(arrived.cancelled()).toBe(true);
  });

  it('records only what `record` keeps, answers everything, and takes a new handler', async () => {
    upstream = await startRecordingUpstream((_request, response) => sendJson(response, 200, 'first'), { record: (entry) => entry.method !== 'GET' });
    expect(await (await request(upstream.url)).body.text()).toBe('first');
    upstream.handle((_request, response) => sendSse(response, [{ a: 1 }, 'x']));
    expect(await (await request(upstream.url, { method: 'POST', body: '' })).body.text()).toBe('data: {"a":1}\n\ndata: x\n\ndata: [DONE]\n\n');
    expect(upstream.requests.map((entry) => entry.method)).toEqual(['POST']);
    upstream.clear();
    expect(upstream.requests).toEqual([]);
  });

  it('resets the connection when the handler throws', async () => {
    upstream = await startRecordingUpstream(() => {
      throw new Error('scripted failure');
    });
    await expect(request(upstream.url)).rejects.toThrow();
  });
});
