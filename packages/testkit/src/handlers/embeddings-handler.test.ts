import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClient } from '../test-support/http-client.js';
import { startMockNim, type MockNimServer } from '../node/start-mock-nim.js';
import { vectorFor } from './embeddings-handler.js';

const client = new TestClient();
let nim: MockNimServer;
beforeAll(async () => {
  nim = await startMockNim();
});
afterAll(async () => {
  await nim.close();
  await client.close();
});

interface Answer {
  object?: string;
  message?: string;
  data: { index: number; embedding: number[] | string }[];
}

const embed = async (body: Record<string, unknown>) => {
  const response = await client.post(`${nim.url}/embeddings`, body);
  return { status: response.statusCode, json: (await response.body.json()) as Answer };
};

describe('the mock NIM’s POST /embeddings', () => {
  it('embeds each input deterministically, a query and a passage of the same text differently, with usage', async () => {
    const { status, json } = await embed({ model: 'baai/bge-m3', input: ['hello world', 'bye'] });
    expect(status).toBe(200);
    expect(json).toMatchObject({ object: 'list', model: 'baai/bge-m3', usage: { prompt_tokens: 3, total_tokens: 3 } });
    expect(json.data.map((item) => item.index)).toEqual([0, 1]);
    expect(json.data[0]!.embedding).toEqual(vectorFor('"hello world"', '', 16));
    expect(Math.hypot(...(json.data[0]!.embedding as number[]))).toBeCloseTo(1, 5);
    const query = await embed({ model: 'nvidia/nv-embedqa-e5-v5', input: 'x', input_type: 'query' });
    const passage = await embed({ model: 'nvidia/nv-embedqa-e5-v5', input: 'x', input_type: 'passage' });
    expect(query.json.data[0]!.embedding).not.toEqual(passage.json.data[0]!.embedding);
  });

  it('sends base64 float32 vectors when asked, decoding to the same numbers', async () => {
    const floats = await embed({ model: 'baai/bge-m3', input: 'same' });
    const base64 = await embed({ model: 'baai/bge-m3', input: 'same', encoding_format: 'base64' });
    const bytes = Buffer.from(base64.json.data[0]!.embedding as string, 'base64');
    expect([...new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4)]).toEqual(floats.json.data[0]!.embedding);
  });

  it("refuses as NIM does: input_type missing on an asymmetric model, dimensions on a model without Matryoshka sizes, unknown fields, chat models", async () => {
    expect(await embed({ model: 'nvidia/nv-embedqa-e5-v5', input: 'x' })).toMatchObject({ status: 400, json: { message: expect.stringContaining('input_type') } });
    expect(await embed({ model: 'baai/bge-m3', input: 'x', dimensions: 8 })).toEqual({ status: 400, json: { detail: { type: 'extra_forbidden', loc: ['body', 'dimensions'] } } });
    const sized = await embed({ model: 'nvidia/llama-3.2-nv-embedqa-1b-v2', input: 'x', input_type: 'query', dimensions: 8 });
    expect(sized.json.data[0]!.embedding).toHaveLength(8);
    expect((await embed({ model: 'baai/bge-m3', input: 'x', extra: 1 })).status).toBe(422);
    expect((await embed({ model: 'meta/llama3-70b-instruct', input: 'x' })).status).toBe(404);
  });
});
