import { getResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { DEFAULT_API_KEY } from './auth.js';
import { createNimHandlers, createNimMock } from './create-nim-mock.js';

const chatRequest = (url: string, init: { key?: string; body?: unknown } = {}) =>
  new Request(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${init.key ?? DEFAULT_API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(
      init.body ?? { model: 'meta/llama3-70b-instruct', messages: [{ role: 'user', content: 'direct' }] },
    ),
  });

describe('createNimHandlers', () => {
  it('answers through msw getResponse on any origin by default', async () => {
    const response = await getResponse(createNimHandlers(), chatRequest('http://anywhere.test/v1/chat/completions'));
    expect(response?.status).toBe(200);
    expect(((await response?.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]?.message.content).toBe(
      'You said: direct',
    );
  });

  it('honours origin and basePath', async () => {
    const handlers = createNimHandlers({ origin: 'http://nim.test/', basePath: 'api/v2/' });
    expect((await getResponse(handlers, new Request('http://nim.test/api/v2/models')))?.status).toBe(200);
    expect(await getResponse(handlers, new Request('http://elsewhere.test/api/v2/models'))).toBeUndefined();
    expect((await getResponse(handlers, new Request('http://nim.test/api/v2/nothing')))?.status).toBe(404);
  });
});

describe('createNimMock controls', () => {
  it('layers scenarios: defaults < setScenario < queued < directive', async () => {
    const mock = createNimMock({ scenario: { content: 'default' } });
    const content = async () => {
      const response = await getResponse(mock.handlers, chatRequest('http://x.test/v1/chat/completions'));
      return ((await response?.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]?.message.content;
    };
    expect(await content()).toBe('default');
    mock.setScenario({ content: 'per test' });
    mock.enqueue({ content: 'queued' }, { times: 2 });
    expect([await content(), await content(), await content()]).toEqual(['queued', 'queued', 'per test']);
    mock.reset();
    expect(await content()).toBe('default');
    expect(mock.requests.count).toBe(1);
  });

  it('reset() releases a hanging request', async () => {
    const mock = createNimMock();
    mock.failNext({ type: 'hang' });
    const pending = getResponse(mock.handlers, chatRequest('http://x.test/v1/chat/completions'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    mock.reset();
    expect((await pending)?.type).toBe('error');
  });
});
