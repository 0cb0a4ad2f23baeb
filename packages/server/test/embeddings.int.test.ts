import { DEFAULT_API_KEY, vectorFor } from '@proxy/testkit';
import { startMockNim, type MockNimServer } from '@proxy/testkit/node';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../src/start-server.js';
import { sendJson, useFakeUpstream } from './support/fake-upstream.js';
import { createTestProxy, LogCapture, PROXY_KEY, type TestProxy } from './support/proxy.js';

let nim: MockNimServer;
let server: RunningServer | undefined;
const logs = new LogCapture();

beforeAll(async () => {
  nim = await startMockNim({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await nim.close();
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  nim.reset();
  logs.lines.length = 0;
});

async function start(extra: Record<string, unknown> = {}): Promise<OpenAI> {
  server = await startServer(
    { port: 0, auth: { api_keys: [PROXY_KEY] }, backends: { nvidia: { api_url: nim.url } }, ...extra },
    { env: { NVIDIA_API_KEY: DEFAULT_API_KEY }, logDestination: logs },
  );
  return new OpenAI({ baseURL: `${server.url}/v1`, apiKey: PROXY_KEY, maxRetries: 0 });
}

const sent = () => nim.requests.to('/embeddings').map((entry) => entry.body as Record<string, unknown>);
const requestLines = () => logs.records().filter((line) => line.msg === 'request completed' && line.route === '/v1/embeddings');

describe('POST /v1/embeddings through the nvidia backend', () => {
  it("answers the openai SDK (its default base64 and floats), accounting the prompt tokens NIM reports", async () => {
    const client = await start();
    const base64 = await client.embeddings.create({ model: 'nvidia:baai/bge-m3', input: ['one two', 'three'] });
    expect(base64.data.map((item) => item.embedding)).toEqual([vectorFor('"one two"', '', 16), vectorFor('"three"', '', 16)]);
    expect(base64.usage).toEqual({ prompt_tokens: 3, total_tokens: 3 });
    const floats = await client.embeddings.create({ model: 'nvidia:baai/bge-m3', input: 'one two', encoding_format: 'float' });
    expect(floats.data[0]!.embedding).toEqual(vectorFor('"one two"', '', 16));
    // The model sent upstream without the backend prefix; the SDK's base64 asked of NIM as the SDK asked it.
    expect(sent().map((body) => [body.model, body.encoding_format])).toEqual([
      ['baai/bge-m3', 'base64'],
      ['baai/bge-m3', 'float'],
    ]);
    expect(requestLines().at(-1)).toMatchObject({ status: 200, front_end: 'openai_embeddings', backend: 'nvidia', model: 'baai/bge-m3', prompt_tokens: 2 });
    const metrics = await (await fetch(`${server!.url}/metrics`)).text();
    expect(metrics).toContain('nim_proxy_prompt_tokens_total{backend="nvidia",model="baai/bge-m3",front_end="openai_embeddings"} 5');
  });

  it('sends an asymmetric model "query" when NIM refuses a request without input_type (once: then at once), and keeps a given one', async () => {
    const client = await start();
    const query = await client.embeddings.create({ model: 'nvidia:nvidia/nv-embedqa-e5-v5', input: 'find me', encoding_format: 'float' });
    expect(query.data[0]!.embedding).toEqual(vectorFor('"find me"', 'query', 16));
    await client.embeddings.create({ model: 'nvidia:nvidia/nv-embedqa-e5-v5', input: 'again', encoding_format: 'float' });
    const passage = await client.embeddings.create({ model: 'nvidia:nvidia/nv-embedqa-e5-v5', input: 'a document', encoding_format: 'float', input_type: 'passage' } as never);
    expect(passage.data[0]!.embedding).toEqual(vectorFor('"a document"', 'passage', 16));
    expect(sent().map((body) => body.input_type)).toEqual([undefined, 'query', 'query', 'passage']);
    expect(logs.records().filter((line) => String(line.msg).includes('needs input_type'))).toHaveLength(1);
  });

  it("refuses dimensions for a model without Matryoshka sizes in OpenAI's words (its vectors would come in another size), and keeps them where NIM takes them", async () => {
    const client = await start();
    const plain = await client.embeddings.create({ model: 'nvidia:baai/bge-m3', input: 'x', dimensions: 8, encoding_format: 'float' }).catch((error: unknown) => error);
    expect(plain).toBeInstanceOf(OpenAI.BadRequestError);
    expect(plain).toMatchObject({ status: 400, param: 'dimensions', code: 'unsupported_parameter' });
    expect((plain as Error).message).toMatch(/does not take `dimensions`/);
    const sized = await client.embeddings.create({ model: 'nvidia:nvidia/llama-3.2-nv-embedqa-1b-v2', input: 'x', dimensions: 8, encoding_format: 'float', input_type: 'query' } as never);
    expect(sized.data[0]!.embedding).toHaveLength(8);
    // Not learned as a field to drop: the next request with dimensions is refused by NIM again, never answered short.
    await client.embeddings.create({ model: 'nvidia:baai/bge-m3', input: 'x', dimensions: 8 }).catch(() => undefined);
    expect(sent().map((body) => body.dimensions)).toEqual([8, 8, 8]);
    expect(requestLines()[0]).toMatchObject({ status: 400 });
  });

  it('answers the first request that needs two fixes (a refused field, then input_type): NIM refuses one at a time', async () => {
    const client = await start();
    // NIM checks its schema before input_type: the first answer names the unknown field only, the second input_type.
    const first = await client.embeddings.create({ model: 'nvidia:nvidia/nv-embedqa-e5-v5', input: 'find me', metadata: { a: 1 }, encoding_format: 'float' } as never);
    expect(first.data[0]!.embedding).toEqual(vectorFor('"find me"', 'query', 16));
    expect(sent().map((body) => [body.metadata, body.input_type])).toEqual([
      [{ a: 1 }, undefined],
      [undefined, undefined],
      [undefined, 'query'],
    ]);
    // Both learned: the next request is sent fixed at once.
    await client.embeddings.create({ model: 'nvidia:nvidia/nv-embedqa-e5-v5', input: 'again', metadata: { a: 1 }, encoding_format: 'float' } as never);
    expect(sent().at(-1)).toMatchObject({ input_type: 'query' });
    expect(sent().at(-1)).not.toHaveProperty('metadata');
    expect(sent()).toHaveLength(4);
  });

  it("answers bad input in OpenAI's shape without calling NIM, and NIM's refusals with their status", async () => {
    const client = await start();
    const missing = await client.embeddings.create({ model: 'nvidia:baai/bge-m3' } as never).catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(OpenAI.BadRequestError);
    expect((missing as InstanceType<typeof OpenAI.BadRequestError>).message).toMatch(/input/);
    expect(sent()).toHaveLength(0);
    const chatModel = await client.embeddings.create({ model: 'nvidia:meta/llama3-70b-instruct', input: 'x' }).catch((error: unknown) => error);
    expect(chatModel).toBeInstanceOf(OpenAI.NotFoundError);
    const unauthenticated = await fetch(`${server!.url}/v1/embeddings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(unauthenticated.status).toBe(401);
    expect(await unauthenticated.json()).toMatchObject({ error: { type: 'authentication_error' } });
    expect(logs.text).not.toContain(DEFAULT_API_KEY);
  });
});

describe("POST /v1/embeddings through a NIM that refuses encoding_format", () => {
  let proxy: TestProxy | undefined;
  const upstream = useFakeUpstream(() => proxy);
  afterEach(() => {
    proxy = undefined;
  });
  // float32-exact numbers: base64 of float32 carries them unchanged.
  const vector = [0.5, -0.25, 0.125, 1];
  const refused = {
    object: 'error',
    message: "Your request cannot be validated, it is incorrect. detail={'type': 'extra_forbidden', 'loc': ('body', 'encoding_format'), 'msg': 'Extra inputs are not permitted', 'input': 'base64'}",
    type: 'BadRequestError',
    param: null,
    code: 400,
  };

  it("answers the base64 the openai SDK asked for (it decodes the answer as base64 whatever came), and floats to whoever asked for them", async () => {
    upstream().onChat((request, response) => {
      const body = JSON.parse(request.body) as Record<string, unknown>;
      if ('encoding_format' in body) return sendJson(response, 400, refused);
      const inputs = Array.isArray(body.input) ? body.input : [body.input];
      sendJson(response, 200, { object: 'list', data: inputs.map((_, index) => ({ index, embedding: vector, object: 'embedding' })), model: body.model, usage: { prompt_tokens: 2, total_tokens: 2 } });
    });
    proxy = createTestProxy(upstream().baseUrl, { backends: { nvidia: { type: 'nvidia', api_url: upstream().baseUrl, api_key: 'nvapi-upstream-key-0123456789' } } });
    const client = new OpenAI({ baseURL: `${await proxy.listen()}/v1`, apiKey: PROXY_KEY, maxRetries: 0 });
    const decoded = await client.embeddings.create({ model: 'nvidia:nvidia/nv-embed-v1', input: ['one', 'two'] });
    expect(decoded.data.map((item) => item.embedding)).toEqual([vector, vector]);
    const asked = await client.embeddings.create({ model: 'nvidia:nvidia/nv-embed-v1', input: 'one', encoding_format: 'base64' });
    expect(asked.data[0]!.embedding).toBe(Buffer.from(new Float32Array(vector).buffer).toString('base64'));
    const floats = await client.embeddings.create({ model: 'nvidia:nvidia/nv-embed-v1', input: 'one', encoding_format: 'float' });
    expect(floats.data[0]!.embedding).toEqual(vector);
    expect(upstream().requests.map((request) => (JSON.parse(request.body) as Record<string, unknown>).encoding_format)).toEqual(['base64', undefined, undefined, undefined]);
  });
});
