import OpenAI, { APIError } from 'openai';
import { describe, expect, it, vi } from 'vitest';
import { chunk, gate, NEVER, sendJson, streamEvents, useFakeUpstream } from './support/fake-upstream.js';
import { chatBody, createTestProxy, PROXY_KEY, type TestProxy } from './support/proxy.js';
import { dataFrames, isKeepalive, postChat } from './support/sse-client.js';

let proxy: TestProxy;
const upstream = useFakeUpstream(() => proxy);

async function listen(keepaliveSeconds: number, format: 'openai' | 'comment' = 'openai'): Promise<string> {
  proxy = createTestProxy(upstream().baseUrl, {
    failure_handling: { keepalive_interval: keepaliveSeconds, keepalive_format: format },
  });
  return proxy.listen();
}

/** Matches a body holding at least `n` keep-alive frames. */
const KEEPALIVES = (n: number) => (text: string) => dataFrames(text).filter(isKeepalive).length >= n;

const client = (baseURL: string) => new OpenAI({ baseURL: `${baseURL}/v1`, apiKey: PROXY_KEY, maxRetries: 0 });

describe('keep-alives', () => {
  it('commits 200 and sends OpenAI-shaped keep-alives while the upstream has not answered yet, naming the response for every chunk', async () => {
    const upstreamGate = gate();
    upstream().onChat(async (_request, response) => {
      await upstreamGate.opened;
      await streamEvents(response, [chunk('a'), '[DONE]']);
    });
    const url = await listen(0.1);
    // Headers arrive while the upstream is still holding its answer back.
    const response = await postChat(url, chatBody({ stream: true }));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    await response.waitFor(KEEPALIVES(2));
    upstreamGate.open();
    const frames = dataFrames(await response.text);
    const keepalives = frames.filter(isKeepalive);
    expect(keepalives.length).toBeGreaterThanOrEqual(2);
    const first = JSON.parse(keepalives[0]!) as { id: string; created: number };
    expect(first).toMatchObject({
      id: `chatcmpl-${response.headers.get('x-request-id')}`,
      object: 'chat.completion.chunk',
      model: 'meta/llama3-70b',
      choices: [{ index: 0, delta: {}, finish_reason: null }],
    });
    // The keep-alive came first, so it named the response: NIM's chunk carries its id, model and created.
    expect(frames.filter((frame) => !isKeepalive(frame))).toEqual([chunk('a', { id: first.id, created: first.created }), '[DONE]']);
  });

  it('sends keep-alives during a silent gap between chunks, and none while chunks flow', async () => {
    const upstreamGate = gate();
    upstream().onChat(async (_request, response) => {
      await streamEvents(response, [chunk('a')], 200, false);
      await upstreamGate.opened;
      await streamEvents(response, [chunk('b'), '[DONE]']);
    });
    const url = await listen(0.1);
    const response = await postChat(url, chatBody({ stream: true }));
    await response.waitFor(KEEPALIVES(2));
    upstreamGate.open();
    const frames = dataFrames(await response.text);
    const a = frames.indexOf(chunk('a'));
    const b = frames.indexOf(chunk('b'));
    expect(a).toBe(0);
    expect(b - a - 1).toBeGreaterThanOrEqual(2);
    expect(frames.slice(a + 1, b).every(isKeepalive)).toBe(true);
    expect(frames.at(-1)).toBe('[DONE]');
  });

  it('sends SSE comments in the comment format', async () => {
    const upstreamGate = gate();
    upstream().onChat((_request, response) => streamEvents(response, [chunk('a'), upstreamGate.opened, chunk('b'), '[DONE]']));
    const url = await listen(0.1, 'comment');
    const response = await postChat(url, chatBody({ stream: true }));
    await response.waitFor(': keepalive\n\n');
    upstreamGate.open();
    const text = await response.text;
    expect(text).toContain(': keepalive\n\n');
    expect(dataFrames(text)).toEqual([chunk('a'), chunk('b'), '[DONE]']);
  });

  it('sends none when the interval is 0', async () => {
    // The gap lasts until the client has the first chunk: however long a tick would take, none comes in it.
    const upstreamGate = gate();
    upstream().onChat((_request, response) => streamEvents(response, [chunk('a'), upstreamGate.opened, chunk('b'), '[DONE]']));
    proxy = createTestProxy(upstream().baseUrl, { failure_handling: { keepalive_interval: 0 } });
    const response = await postChat(await proxy.listen(), chatBody({ stream: true }));
    await response.waitFor(chunk('a'));
    upstreamGate.open();
    expect(await response.text).toBe(`data: ${chunk('a')}\n\ndata: ${chunk('b')}\n\ndata: [DONE]\n\n`);
  });

  it('leaves the openai SDK content exactly as the upstream sent it', async () => {
    // Each silence of the upstream lasts until the SDK has parsed a keep-alive in it.
    const silences = [gate(), gate(), gate()];
    upstream().onChat((_request, response) =>
      streamEvents(response, [
        silences[0]!.opened,
        chunk(null, { choices: [{ index: 0, delta: { role: 'assistant', content: 'Hel' }, finish_reason: null }] }),
        silences[1]!.opened,
        chunk('lo'),
        silences[2]!.opened,
        chunk(null, { choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }),
        '[DONE]',
      ]),
    );
    const url = await listen(0.1);
    const stream = await client(url).chat.completions.create({ model: 'up:meta/llama3-70b', messages: [{ role: 'user', content: 'hi' }], stream: true });
    let content = '';
    let keepalives = 0;
    for await (const part of stream) {
      content += part.choices[0]?.delta?.content ?? '';
      if (isKeepalive(JSON.stringify(part))) silences[keepalives++]?.open();
    }
    expect(content).toBe('Hello');
    expect(keepalives).toBeGreaterThanOrEqual(3); // keep-alives were parsed as (empty) chunks

    const helper = client(url).chat.completions.stream({ model: 'up:meta/llama3-70b', messages: [{ role: 'user', content: 'hi' }] });
    const final = await helper.finalChatCompletion();
    expect(final.choices[0]?.message.content).toBe('Hello');
    expect(final.choices[0]?.finish_reason).toBe('stop');
  });
});

describe('reads that end with [DONE]', () => {
  // Regression: the events that came in the same upstream read as [DONE] were sent with response.cork() around
  // end(), and on Node 24 the client then received a 200 with an empty body (Node 20 sent it all).
  const frames = [chunk('a'), chunk('b'), chunk('c')];
  const wire = (data: readonly string[]) => data.map((item) => `data: ${item}\n\n`).join('');

  it('relays a whole stream that arrives in one read', async () => {
    upstream().onChat((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.end(wire([...frames, '[DONE]']));
    });
    const url = await listen(8);
    for (let i = 0; i < 3; i++) {
      const response = await postChat(url, chatBody({ stream: true }));
      expect(await response.text).toBe(wire([...frames, '[DONE]']));
    }
  });

  it('relays the last events sent together with [DONE] after earlier reads', async () => {
    const firstRelayed = gate();
    upstream().onChat(async (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(wire([frames[0]!]));
      await firstRelayed.opened;
      response.end(wire([frames[1]!, frames[2]!, '[DONE]']));
    });
    const url = await listen(8);
    const response = await postChat(url, chatBody({ stream: true }));
    // The rest is sent only once the first read has reached the client: two upstream reads, whatever the speed.
    await response.waitFor(frames[0]!);
    firstRelayed.open();
    expect(await response.text).toBe(wire([...frames, '[DONE]']));
  });
});

describe('status before the stream starts, error event after', () => {
  it('passes the upstream status through when it answers within one interval', async () => {
    upstream().onChat((_request, response) => {
      sendJson(response, 429, { status: 429, title: 'Too Many Requests' }, { 'retry-after': '3' });
    });
    const url = await listen(5);
    const error = await client(url)
      .chat.completions.create({ model: 'up:m', messages: [{ role: 'user', content: 'hi' }], stream: true })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).status).toBe(429);
    expect((error as APIError).headers?.get('retry-after')).toBe('3');
  });

  it('sends an OpenAI error event (and no [DONE]) when the upstream fails after the stream started', async () => {
    const committed = gate();
    upstream().onChat(async (_request, response) => {
      await committed.opened;
      sendJson(response, 503, { status: 503, title: 'Service Unavailable', detail: 'model is overloaded' });
    });
    const url = await listen(0.1);
    // The upstream answers only once the client has its 200 (committed after one silent interval).
    const response = await postChat(url, chatBody({ stream: true }));
    committed.open();
    expect(response.status).toBe(200);
    const frames = dataFrames(await response.text);
    const last = JSON.parse(frames.at(-1)!) as { error: { message: string; type: string; code: unknown; param: unknown } };
    expect(last.error.message).toContain('model is overloaded');
    expect(last.error).toHaveProperty('type');
    expect(frames).not.toContain('[DONE]');
  });

  it("ends with NIM's own error event alone when NIM reports an error and closes without [DONE], on every front end", async () => {
    upstream().onChat((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.end(`data: ${chunk('partial')}\n\ndata: {"error":{"message":"engine died","code":500}}\n\n`);
    });
    proxy = createTestProxy(upstream().baseUrl, { failure_handling: { max_retries: 0 } });
    // Over a real socket: the log line is written once the exchange is over, as in production.
    const base = await proxy.listen();
    const post = async (url: string, payload: object) => {
      const response = await fetch(`${base}${url}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${PROXY_KEY}`, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
        body: JSON.stringify(payload),
      });
      return { body: await response.text() };
    };
    const chat = await post('/v1/chat/completions', chatBody({ stream: true }));
    const errors = dataFrames(chat.body).filter((frame) => frame.includes('"error"'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('engine died');
    expect(dataFrames(chat.body)).not.toContain('[DONE]');
    const messages = await post('/v1/messages', { model: 'up:m', max_tokens: 10, stream: true, messages: [{ role: 'user', content: 'hi' }] });
    expect(messages.body.match(/^event: error$/gm)).toHaveLength(1);
    expect(messages.body).toContain('engine died');
    const responses = await post('/v1/responses', { model: 'up:m', stream: true, input: 'hi' });
    expect(responses.body.match(/^event: response\.failed$/gm)).toHaveLength(1);
    // Recorded as the upstream's failure, not as a cut stream.
    const lines = () => proxy.logs.records().filter((line) => line.msg === 'request completed');
    await vi.waitFor(() => expect(lines()).toHaveLength(3));
    expect(lines().map((line) => line.error_code)).toEqual(['upstream_stream_error', 'upstream_stream_error', 'upstream_stream_error']);
  });

  it('makes the openai SDK throw an APIError for a failure mid-stream', async () => {
    const received = gate();
    upstream().onChat(async (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(`data: ${chunk('partial')}\n\n`);
      await received.opened;
      response.socket?.destroy();
    });
    const url = await listen(0.1);
    const stream = await client(url).chat.completions.create({ model: 'up:m', messages: [{ role: 'user', content: 'hi' }], stream: true });
    let content = '';
    const error = await (async () => {
      for await (const part of stream) {
        content += part.choices[0]?.delta?.content ?? '';
        if (content === 'partial') received.open(); // the upstream drops once the client has the chunk
      }
    })().catch((caught: unknown) => caught);
    expect(content).toBe('partial');
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).message).toContain('closed the connection');
  });
});

describe('client abort', () => {
  it('cancels the upstream stream at once when the client disconnects', async () => {
    upstream().onChat((_request, response) => streamEvents(response, [chunk('a'), NEVER]));
    const url = await listen(0.1);
    const response = await postChat(url, chatBody({ stream: true }));
    await response.waitFor(chunk('a'));
    response.abort();
    const seen = upstream().requests[0]!;
    await seen.closed;
    expect(seen.cancelled()).toBe(true);
    const completed = () => proxy.logs.records().find((line) => line.msg === 'request completed');
    // Polls for the line itself (the request is recorded after the response closed): no fixed wait.
    while (!completed()) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(completed()).toMatchObject({ status: 499, stream: true });
  });

  it('cancels a non-streaming upstream call when the client disconnects', async () => {
    upstream().onChat(() => undefined); // never answers
    const url = await listen(0.1);
    const controller = new AbortController();
    const pending = fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${PROXY_KEY}` },
      body: JSON.stringify(chatBody()),
      signal: controller.signal,
    }).catch(() => undefined);
    await upstream().waitForRequest(0);
    controller.abort();
    await pending;
    await upstream().requests[0]!.closed;
    expect(upstream().requests[0]!.cancelled()).toBe(true);
  });
});
