import { sendJson, startRecordingUpstream, type RecordingUpstream } from '@proxy/testkit/recording-upstream';
import { afterEach, describe, expect, it } from 'vitest';
import { completion } from './support/fake-upstream.js';
import { manualCatalogTimers } from './support/manual-catalog-timers.js';
import { authHeaders, chatBody, createTestProxy, type TestProxy } from './support/proxy.js';

let proxy: TestProxy | undefined;
let upstream: RecordingUpstream | undefined;
afterEach(async () => {
  await proxy?.close();
  await upstream?.close();
  proxy = upstream = undefined;
});

/** An upstream whose `GET /models` answers 503 while `state.down`, and its catalog once up. */
async function flakyUpstream(state: { down: boolean; models: string[] }) {
  return startRecordingUpstream((request, response) => {
    if (request.url !== '/v1/models') return sendJson(response, 200, completion('hi'));
    if (state.down) return sendJson(response, 503, { error: { message: 'warming up' } });
    sendJson(response, 200, { object: 'list', data: state.models.map((id) => ({ id, object: 'model', owned_by: 'test' })) });
  });
}

describe('the model catalog heals', () => {
  it('lists a backend whose GET /models failed at start once a background retry reads it, without a restart', async () => {
    const state = { down: true, models: ['meta/llama3-70b'] };
    upstream = await flakyUpstream(state);
    const timers = manualCatalogTimers();
    proxy = createTestProxy(upstream.url, {}, { catalogTimers: timers });
    await proxy.app.ready();
    const get = async (url: string) => proxy!.app.inject({ url, headers: authHeaders });

    expect((await get('/v1/models')).json().data).toEqual([]);
    expect((await get('/v1/models/up:meta/llama3-70b')).statusCode).toBe(404);
    // Chat serves the model all along: only the catalog was missing.
    expect((await proxy.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: authHeaders, payload: chatBody() })).statusCode).toBe(200);

    await timers.fire(); // 1 s later: still down
    state.down = false;
    await timers.fire(); // 2 s after that: up
    expect((await get('/v1/models')).json().data).toEqual([
      { id: 'up:meta/llama3-70b', object: 'model', created: Math.floor(timers.nowMs / 1000), owned_by: 'up' },
    ]);
    expect((await get('/v1/models/up:meta/llama3-70b')).statusCode).toBe(200);
    expect(proxy.logs.records().filter((line) => line.msg === 'backend ready')).toMatchObject([{ backend: 'up', models: 1, failed_reads: 2 }]);
  });

  it('refreshes every models_refresh seconds, keeps the last list when a refresh fails, and stops on close', async () => {
    const state = { down: false, models: ['a/one'] };
    upstream = await flakyUpstream(state);
    const timers = manualCatalogTimers();
    proxy = createTestProxy(upstream.url, { backends: { up: { type: 'openai', api_url: upstream.url, api_key: 'k', models_refresh: 30 } } }, { catalogTimers: timers });
    await proxy.app.ready();
    const ids = async () => ((await proxy!.app.inject({ url: '/v1/models', headers: authHeaders })).json().data as { id: string }[]).map((m) => m.id);
    expect(await ids()).toEqual(['up:a/one']);
    expect(timers.pending).toEqual([30_000]);

    state.models = ['a/one', 'b/two'];
    await timers.fire();
    expect(await ids()).toEqual(['up:a/one', 'up:b/two']);
    state.down = true;
    await timers.fire();
    expect(await ids()).toEqual(['up:a/one', 'up:b/two']);
    expect(timers.pending).toEqual([1_000]);

    await proxy.close();
    expect(timers.pending).toEqual([]);
  });

  it('refuses a models_refresh that is not a number of seconds, naming the key', () => {
    expect(() => createTestProxy('http://127.0.0.1:9/v1', { backends: { up: { type: 'openai', api_url: 'http://127.0.0.1:9/v1', models_refresh: -1 } } })).toThrow(
      /backends\.up\.models_refresh: expected a number of seconds/,
    );
    expect(() => createTestProxy('http://127.0.0.1:9/v1', { backends: { up: { type: 'openai', api_url: 'http://127.0.0.1:9/v1', models_refrsh: 5 } } })).toThrow(
      /backends\.up\.models_refrsh: unknown setting; did you mean 'models_refresh'\?/,
    );
  });
});
