import { afterAll, describe, expect, it } from 'vitest';
import { TestClient } from './test-support/http-client.js';
import { useMockNim, useNimServer } from './with-vitest.js';

describe('useMockNim', () => {
  const nim = useMockNim({ apiKey: false });
  const client = new TestClient();
  afterAll(() => client.close());

  it('starts a listening mock before the tests', async () => {
    const response = await client.get(`${nim.url}/models`);
    expect(response.statusCode).toBe(200);
    await response.body.dump();
    nim.setScenario({ content: 'leaks?' });
    expect(nim.requests.count).toBe(1);
  });

  it('resets it after each test', async () => {
    expect(nim.requests.count).toBe(0);
    const response = await client.post(`${nim.url}/chat/completions`, {
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
    expect(nim.port).toBeGreaterThan(0);
  });

  it('has the shape of useNimServer (nim.url), and still answers the server when called (nim().url)', () => {
    expect(nim.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    expect(nim().url).toBe(nim.url);
    expect(nim().requests).toBe(nim.requests);
    const { reset } = nim; // methods stay bound to the server
    expect(() => reset()).not.toThrow();
  });
});

describe('useMockNim outside the suite', () => {
  const nim = useMockNim();
  let early: unknown;
  try {
    void nim.url; // while the suite is being declared: no server yet
  } catch (error) {
    early = error;
  }
  it('says the server runs only inside the suite when read before it started', () => {
    expect(String(early)).toContain('useMockNim: the mock NIM is only running inside the suite');
    expect(nim.url).toBeTypeOf('string');
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
