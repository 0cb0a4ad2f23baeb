import { afterAll, describe, expect, it } from 'vitest';
import { TestClient } from './test-support/http-client.js';
import { useMockNim, useNimServer } from './with-vitest.js';

describe('useMockNim', () => {
  const nim = useMockNim({ apiKey: false });
  const client = new TestClient();
  afterAll(() => client.close());

  it('starts a listening mock before the tests', async () => {
    const response = await client.get(`${nim().url}/models`);
    expect(response.statusCode).toBe(200);
    await response.body.dump();
    nim().setScenario({ content: 'leaks?' });
    expect(nim().requests.count).toBe(1);
  });

  it('resets it after each test', async () => {
    expect(nim().requests.count).toBe(0);
    const response = await client.post(`${nim().url}/chat/completions`, {
      model: 'meta/llama3-70b-instruct',
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(((await response.body.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]?.message.content).toBe(
      'You said: x',
    );
  });
});

describe('useMockNim in a second suite', () => {
  const nim = useMockNim();
  it('gets its own server', () => {
    expect(nim().port).toBeGreaterThan(0);
  });
});

describe('useNimServer', () => {
  const nim = useNimServer({ origin: 'http://nim.test' });

  it('intercepts fetch to an origin that does not exist', async () => {
    const response = await fetch('http://nim.test/v1/models');
    expect(response.status).toBe(200);
    expect(((await response.json()) as { data: unknown[] }).data.length).toBeGreaterThan(0);
    nim.setScenario({ content: 'leaks?' });
  });

  it('resets it after each test', async () => {
    expect(nim.requests.count).toBe(0);
    const response = await fetch('http://nim.test/v1/chat/completions', {
      method: 'POST',
      headers: { authorization: 'Bearer nvapi-mock-key', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'meta/llama3-70b-instruct', messages: [{ role: 'user', content: 'y' }] }),
    });
    expect(((await response.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]?.message.content).toBe(
      'You said: y',
    );
  });
});
