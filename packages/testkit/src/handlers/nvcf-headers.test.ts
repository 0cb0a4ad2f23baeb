import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TestClient } from '../test-support/http-client.js';
import { startMockNim, type MockNimServer } from '../node/start-mock-nim.js';

const client = new TestClient();
let nim: MockNimServer;
beforeAll(async () => {
  nim = await startMockNim({ retiredModels: ['old/model'] });
});
afterEach(() => nim.reset());
afterAll(async () => {
  await nim.close();
  await client.close();
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const messages = [{ role: 'user', content: 'hi' }];

async function headersOf(path: string, body: unknown, key?: string | null): Promise<{ status: number; reqid: unknown; status_: unknown }> {
  const response = await client.post(`${nim.url}${path}`, body, key === undefined ? {} : { key });
  await response.body.dump();
  return { status: response.statusCode, reqid: response.headers['nvcf-reqid'], status_: response.headers['nvcf-status'] };
}

// NIM's answers carry NVIDIA's id for the call, the one its support asks for, on errors as much as on answers:
// a client that reports it on a failed call must be testable against the mock.
describe('nvcf-reqid and nvcf-status on every answer NIM gives', () => {
  it.each([
    ['a completion', '/chat/completions', { model: 'meta/llama3-70b-instruct', messages }, 200],
    ['an embedding', '/embeddings', { model: 'baai/bge-m3', input: 'hi' }, 200],
    ['a 422 for a field outside the schema', '/chat/completions', { model: 'meta/llama3-70b-instruct', messages, max_completion_tokens: 5 }, 422],
    ['a 404 for an unknown model', '/chat/completions', { model: 'acme/none', messages }, 404],
    ['a 410 for a retired model', '/chat/completions', { model: 'old/model', messages }, 410],
    ['an embeddings 422', '/embeddings', { model: 'baai/bge-m3', input: 'hi', made_up: 1 }, 422],
    ['an embeddings 400', '/embeddings', { model: 'nvidia/nv-embedqa-e5-v5', input: 'hi' }, 400],
  ] as const)('%s', async (_name, path, body, status) => {
    const answer = await headersOf(path, body);
    expect(answer.status).toBe(status);
    expect(answer.reqid).toMatch(UUID);
    expect(answer.status_).toBe('fulfilled');
  });

  it('names each call differently, and the same again after reset()', async () => {
    const body = { model: 'meta/llama3-70b-instruct', messages };
    const first = await headersOf('/chat/completions', body);
    const refused = await headersOf('/chat/completions', body, 'nvapi-wrong');
    const second = await headersOf('/chat/completions', body);
    expect(refused.status).toBe(401);
    expect(refused.reqid).toMatch(UUID);
    expect(new Set([first.reqid, refused.reqid, second.reqid]).size).toBe(3);
    nim.reset();
    expect((await headersOf('/chat/completions', body)).reqid).toBe(first.reqid);
  });
});
