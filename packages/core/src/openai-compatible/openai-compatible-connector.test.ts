import type { ServerResponse } from 'node:http';
import { sendJson, startRecordingUpstream, type RecordingUpstream } from '@proxy/testkit/recording-upstream';
import { MockAgent, Pool } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChatStreamEvent, ChatStreamRead, Connector } from '../connector.js';
import type { ProxyError } from '../errors/proxy-error.js';
import type { ChatCompletionRequest } from '../schemas/chat-request.js';
import { OpenAICompatibleConnector } from './openai-compatible-connector.js';
import type { OpenAICompatibleSettings } from './settings.js';

const KEY = 'sk-upstream-secret-key';
const request: ChatCompletionRequest = { model: 'meta/llama3-70b', messages: [{ role: 'user', content: 'Hi' }] };
const completion = {
  id: 'c1',
  object: 'chat.completion',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Hello!' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
};

let upstream: RecordingUpstream | undefined;
let connector: Connector | undefined;
afterEach(async () => {
  await connector?.close();
  await upstream?.close();
  connector = undefined;
  upstream = undefined;
});

function connect(url: string, settings: Partial<OpenAICompatibleSettings> = {}) {
  connector = new OpenAICompatibleConnector({ name: 'test', baseURL: url, apiKey: KEY, keepAliveTimeoutMs: 10, ...settings });
  return connector as OpenAICompatibleConnector;
}

async function collect(stream: AsyncIterable<ChatStreamRead>) {
  const events: ChatStreamEvent[] = [];
  for await (const read of stream) events.push(...read.events);
  return events;
}

async function failure(promise: Promise<unknown>): Promise<ProxyError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!error) throw new Error('expected the call to fail');
  return error as ProxyError;
}

describe('OpenAICompatibleConnector: requests', () => {
  it("sends the call's x-request-id in place of one from the settings' headers, and that one on calls without an id", async () => {
    upstream = await startRecordingUpstream((_req, res) => sendJson(res, 200, completion));
    const proxy = connect(upstream.url, { headers: { 'x-request-id': 'configured-id', 'x-extra': 'kept' } });
    await proxy.chatCompletion(request, { requestId: 'call-id' });
    await proxy.chatCompletion(request);
    const [withId, withoutId] = upstream.requests;
    expect(withId!.headers['x-request-id']).toBe('call-id');
    expect(withId!.headers['x-extra']).toBe('kept');
    expect(withoutId!.headers['x-request-id']).toBe('configured-id');
  });

  it('posts the chat body with the bearer key to {base}/chat/completions over HTTP/1.1 and returns the raw JSON', async () => {
    upstream = await startRecordingUpstream((_req, res) => sendJson(res, 200, completion));
    const result = await connect(upstream.url).chatCompletion(request);
    expect(result.rawBody).toBe(JSON.stringify(completion));
    expect(result.body.choices).toHaveLength(1);
    expect(result.usage).toEqual({ promptTokens: 3, completionTokens: 2, totalTokens: 5 });
    const sent = upstream.requests[0]!;
    expect(sent.method).toBe('POST');
    expect(sent.url).toBe('/v1/chat/completions');
    expect(sent.httpVersion).toBe('1.1');
    expect(sent.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(sent.headers['content-type']).toBe('application/json');
    expect(JSON.parse(sent.body)).toEqual({ ...request, stream: false });
  });

  it.each(['', '/', '//'])('joins the base URL correctly with trailing %j', async (suffix) => {
    upstream = await startRecordingUpstream((_req, res) => sendJson(res, 200, { object: 'list', data: [{ id: 'm1' }] }));
    await connect(upstream.url + suffix).listModels();
    expect(upstream.requests[0]?.url).toBe('/v1/models');
  });

  it('lets a subclass rewrite the outbound body through one hook', async () => {
    class Renaming extends OpenAICompatibleConnector {
      protected override transformRequestBody(body: ChatCompletionRequest) {
        const { max_completion_tokens, ...rest } = body;
        return { ...rest, max_tokens: max_completion_tokens };
      }
    }
    upstream = await startRecordingUpstream((_req, res) => sendJson(res, 200, completion));
    connector = new Renaming({ name: 't', baseURL: upstream.url, apiKey: KEY, keepAliveTimeoutMs: 10 });
    await connector.chatCompletion({ ...request, max_completion_tokens: 64, vendor_field: { x: 1 } });
    expect(JSON.parse(upstream.requests[0]!.body)).toEqual({ ...request, stream: false, max_tokens: 64, vendor_field: { x: 1 } });
  });

  it('works with an injected MockAgent, which replaces only the dispatcher it is given', async () => {
    const agent = new MockAgent({ connections: 1 });
    agent.disableNetConnect();
    agent
      .get('https://upstream.test')
      .intercept({ path: '/v1/chat/completions', method: 'POST', headers: { authorization: `Bearer ${KEY}` } })
      .reply(200, completion);
    const result = await connect('https://upstream.test/v1', { dispatcher: agent }).chatCompletion(request);
    expect(result.body).toEqual(completion);
    agent.assertNoPendingInterceptors();
    await agent.close();
  });
});

describe('OpenAICompatibleConnector: models', () => {
  it('uses a static catalog without calling upstream', async () => {
    upstream = await startRecordingUpstream((_req, res) => sendJson(res, 500, {}));
    const c = connect(upstream.url, { models: ['a', 'b'] });
    await c.initialize();
    expect(c.getAvailableModels()).toEqual(['a', 'b']);
    expect(upstream.requests).toHaveLength(0);
  });

  it('fetches and caches the catalog with a key, and has an empty one without', async () => {
    upstream = await startRecordingUpstream((_req, res) => sendJson(res, 200, { object: 'list', data: [{ id: 'm1' }, { id: 'm2', owned_by: 'x' }] }));
    const c = connect(upstream.url);
    await c.initialize();
    expect(c.getAvailableModels()).toEqual(['m1', 'm2']);
    expect(c.getAvailableModels()).toEqual(['m1', 'm2']);
    expect(upstream.requests).toHaveLength(1);
    const keyless = connect(upstream.url, { apiKey: '' });
    await keyless.initialize();
    expect(keyless.getAvailableModels()).toEqual([]);
    expect(upstream.requests).toHaveLength(1);
  });

  it('refuses to call upstream for a completion without a key, with a clear error', async () => {
    upstream = await startRecordingUpstream((_req, res) => sendJson(res, 200, completion));
    const error = await failure(connect(upstream.url, { apiKey: undefined }).chatCompletion(request));
    expect(error.status).toBe(503);
    expect(error.code).toBe('upstream_api_key_missing');
    expect(error.headers['x-should-retry']).toBe('false'); // SDKs would retry a 503 that cannot pass
    expect(upstream.requests).toHaveLength(0);
  });

  it('runs the first-use health check once, and again after it failed', async () => {
    let healthy = false;
    upstream = await startRecordingUpstream((req, res) => {
      if (req.url === '/v1/models') return sendJson(res, healthy ? 200 : 503, { object: 'list', data: [] });
      sendJson(res, 200, completion);
    });
    const c = connect(upstream.url, { healthCheckOnFirstUse: true });
    expect((await failure(c.chatCompletion(request))).status).toBe(503);
    healthy = true;
    await c.chatCompletion(request);
    await c.chatCompletion(request);
    expect(upstream.requests.map((r) => r.url)).toEqual(['/v1/models', '/v1/models', '/v1/chat/completions', '/v1/chat/completions']);
  });
});

describe('OpenAICompatibleConnector: errors', () => {
  it('keeps an upstream 4xx status and its reason, without the key', async () => {
    upstream = await startRecordingUpstream((_req, res) =>
      sendJson(res, 422, { status: 422, title: 'Unprocessable Entity', detail: `Extra inputs are not permitted; key ${KEY}` }),
    );
    const error = await failure(connect(upstream.url).chatCompletion(request));
    expect(error.status).toBe(422);
    expect(error.toBody().error.message).toBe('The test upstream answered HTTP 422: Extra inputs are not permitted; key [redacted]');
    expect(JSON.stringify(error.toBody())).not.toContain(KEY);
  });

  it('passes 429 Retry-After on and marks 5xx retryable', async () => {
    upstream = await startRecordingUpstream((req, res) =>
      req.url === '/v1/models' ? sendJson(res, 503, 'overloaded') : sendJson(res, 429, { status: 429, title: 'Too Many Requests' }, { 'retry-after': '3' }),
    );
    const limited = await failure(connect(upstream.url).chatCompletion(request));
    expect(limited.status).toBe(429);
    expect(limited.headers).toEqual({ 'retry-after': '3' });
    const overloaded = await failure(connector!.listModels());
    expect(overloaded.status).toBe(503);
    expect(overloaded.isRetryable).toBe(true);
  });

  it('maps a refused connection to 502 upstream_unreachable', async () => {
    upstream = await startRecordingUpstream(() => undefined);
    const url = upstream.url;
    await upstream.close();
    upstream = undefined;
    const error = await failure(connect(url).chatCompletion(request));
    expect(error.status).toBe(502);
    expect(error.code).toBe('upstream_unreachable');
  });

  it('maps a connection reset before headers to 502', async () => {
    upstream = await startRecordingUpstream((_request, response) => void response.socket?.destroy());
    const error = await failure(connect(upstream.url).chatCompletion(request));
    expect(error.status).toBe(502);
    expect(error.code).toBe('upstream_connection_error');
  });

  it('maps a protocol violation to 502 upstream_protocol_error', async () => {
    upstream = await startRecordingUpstream((_request, response) => void response.socket?.end('HTTP/1.1 200 OK\r\nContent-Length: nope\r\n\r\n'));
    const error = await failure(connect(upstream.url).chatCompletion(request));
    expect(error.status).toBe(502);
    expect(error.code).toBe('upstream_protocol_error');
  });

  // An upstream that never answers: only the headers timeout can end the call (else the test times out).
  it('maps silence before headers to 504 within the headers timeout', async () => {
    upstream = await startRecordingUpstream(() => undefined);
    const error = await failure(connect(upstream.url, { headersTimeoutMs: 100 }).chatCompletion(request));
    expect(error.status).toBe(504);
    expect(error.code).toBe('upstream_timeout');
  });

  it('maps a non-JSON 200 to 502 upstream_invalid_response', async () => {
    upstream = await startRecordingUpstream((_req, res) => sendJson(res, 200, '<html>gateway</html>'));
    const error = await failure(connect(upstream.url).chatCompletion(request));
    expect(error.status).toBe(502);
    expect(error.code).toBe('upstream_invalid_response');
  });
});

/** Writes the frames as they are (no framing added, so tests can send partial or CRLF events) and ends the body. */
function sse(res: ServerResponse, frames: string[]) {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  for (const frame of frames) res.write(frame);
  res.end();
}

const chunk = (content: string) => JSON.stringify({ id: 1, choices: [{ index: 0, delta: { content } }] });

describe('OpenAICompatibleConnector: streaming', () => {
  it('yields events with their raw data, reads usage from usage frames, and ends at [DONE]', async () => {
    const usageOnly = JSON.stringify({ id: null, usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } });
    upstream = await startRecordingUpstream((_req, res) =>
      sse(res, [`data: ${chunk('Hel')}\n\n`, `data: ${chunk('lo')}\r\n\r\n`, `data: ${usageOnly}\n\n`, 'data: [DONE]\n\n', 'data: ignored\n\n']),
    );
    const stream = await connect(upstream.url).streamChatCompletion({ ...request, stream_options: { include_usage: true } });
    const events = await collect(stream);
    // The usage-only frame had no choices key: it is given OpenAI's empty list (see readUsage).
    expect(events.map((event) => event.data)).toEqual([chunk('Hel'), chunk('lo'), JSON.stringify({ ...(JSON.parse(usageOnly) as object), choices: [] })]);
    expect(stream.sawDone).toBe(true);
    expect(events[2]).toMatchObject({ usageOnly: true, usage: { promptTokens: 3, completionTokens: 2, totalTokens: 5 } });
    expect(events[0]?.usage).toBeUndefined();
    expect(stream.usage?.totalTokens).toBe(5);
    expect(upstream.requests[0]?.headers.accept).toBe('text/event-stream');
    expect(JSON.parse(upstream.requests[0]!.body).stream).toBe(true);
  });

  it('keeps the largest of several usage reports instead of summing them', async () => {
    const withUsage = (total: number) =>
      JSON.stringify({ choices: [{ index: 0, delta: { content: 'x' } }], usage: { prompt_tokens: 1, completion_tokens: total - 1, total_tokens: total } });
    upstream = await startRecordingUpstream((_req, res) => sse(res, [`data: ${withUsage(2)}\n\n`, `data: ${withUsage(4)}\n\n`, 'data: [DONE]\n\n']));
    const stream = await connect(upstream.url).streamChatCompletion(request);
    const events = await collect(stream);
    expect(events[0]?.usageOnly).toBe(false);
    expect(stream.usage).toEqual({ promptTokens: 1, completionTokens: 3, totalTokens: 4 });
  });

  it('hands out one read per upstream read, its bytes as they came, [DONE] ending the iteration', async () => {
    const usageOnly = JSON.stringify({ choices: [], usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } });
    let finish: (() => void) | undefined;
    upstream = await startRecordingUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`data: ${chunk('a')}\n\ndata: ${chunk('b')}\n\n`);
      finish = () => res.end(`data: ${usageOnly}\n\ndata: [DONE]\n\n`);
    });
    const stream = await connect(upstream.url).streamChatCompletion(request);
    const reads: ChatStreamRead[] = [];
    for await (const read of stream) {
      reads.push(read);
      finish?.(); // the second read is sent only once the first has arrived
    }
    expect(reads.map((read) => Buffer.from(read.bytes).toString())).toEqual([
      `data: ${chunk('a')}\n\ndata: ${chunk('b')}\n\n`,
      `data: ${usageOnly}\n\n`,
    ]);
    expect(Buffer.from(reads[1]!.withoutUsageOnly()).toString()).toBe('');
    expect(reads.map((read) => read.events.map((event) => event.data))).toEqual([[chunk('a'), chunk('b')], [usageOnly]]);
    expect(stream.usage?.totalTokens).toBe(5);
    expect(stream.sawDone).toBe(true);
    expect(() => stream[Symbol.asyncIterator]()).toThrow(/only once/);
  });

  it('ends the iteration at the end of a finished body that never sent [DONE], and says so', async () => {
    const last = JSON.stringify({ id: 'c', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] });
    upstream = await startRecordingUpstream((_req, res) => sse(res, [`data: ${chunk('a')}\n\n`, `data: ${last}`]));
    const stream = await connect(upstream.url).streamChatCompletion(request);
    expect((await collect(stream)).map((event) => event.data)).toEqual([chunk('a'), last]);
    expect(stream.sawDone).toBe(false);
  });

  it('fails a body that stops with neither [DONE] nor a finish_reason: a cut answer is not a whole one', async () => {
    upstream = await startRecordingUpstream((_req, res) => sse(res, [`data: ${chunk('a')}\n\n`, `data: ${chunk('b')}\n\n`]));
    const stream = await connect(upstream.url).streamChatCompletion(request);
    const seen: string[] = [];
    const error = await failure(
      (async () => {
        for await (const read of stream) seen.push(...read.events.map((event) => event.data));
      })(),
    );
    expect(seen).toEqual([chunk('a'), chunk('b')]);
    expect(error).toMatchObject({ status: 502, code: 'upstream_stream_truncated' });
  });

  it('rejects with the real status before the stream starts', async () => {
    upstream = await startRecordingUpstream((_req, res) => sendJson(res, 404, { status: 404, title: 'Not Found', detail: "Function 'abc': Not found" }));
    const error = await failure(connect(upstream.url).streamChatCompletion(request));
    expect(error.status).toBe(404);
    expect(error.message).toContain("Function 'abc': Not found");
  });

  it('throws a 502 ProxyError when the upstream disconnects mid-stream', async () => {
    let cut: (() => void) | undefined;
    upstream = await startRecordingUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`data: ${chunk('partial')}\n\n`);
      cut = () => res.socket?.destroy();
    });
    const stream = await connect(upstream.url).streamChatCompletion(request);
    const seen: string[] = [];
    const error = await failure(
      (async () => {
        for await (const read of stream) {
          seen.push(...read.events.map((event) => event.data));
          cut?.(); // the connection drops once the first event has arrived
        }
      })(),
    );
    expect(seen).toEqual([chunk('partial')]);
    expect(error.status).toBe(502);
    expect(error.code).toBe('upstream_connection_error');
  });

  it('throws 504 when a gap between chunks exceeds the body timeout', async () => {
    // One event, then silence for good: only the body timeout can end the stream.
    upstream = await startRecordingUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`data: ${chunk('a')}\n\n`);
    });
    const stream = await connect(upstream.url, { bodyTimeoutMs: 100 }).streamChatCompletion(request);
    const error = await failure(collect(stream));
    expect(error.status).toBe(504);
  });

  it('cancels the upstream request when the caller aborts mid-stream', async () => {
    upstream = await startRecordingUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`data: ${chunk('first')}\n\n`);
    });
    const controller = new AbortController();
    const stream = await connect(upstream.url).streamChatCompletion(request, { signal: controller.signal });
    const iterator = stream[Symbol.asyncIterator]();
    expect((await iterator.next()).value?.events[0]?.data).toBe(chunk('first'));
    const pending = iterator.next();
    controller.abort();
    const error = await failure(pending);
    expect(error.status).toBe(499);
    await upstream.requests[0]!.closed; // the upstream saw its request end
    expect(upstream.requests[0]!.cancelled()).toBe(true);
  });

  it('cancels the upstream request when the caller aborts before headers', async () => {
    upstream = await startRecordingUpstream(() => undefined);
    const controller = new AbortController();
    const pending = connect(upstream.url).chatCompletion(request, { signal: controller.signal });
    const arrived = await upstream.waitForRequest(0);
    controller.abort();
    expect((await failure(pending)).status).toBe(499);
    await arrived.closed;
    expect(arrived.cancelled()).toBe(true);
  });

  it('hands the socket back for reuse when a stream ends at [DONE], even if the body ends a moment later', async () => {
    upstream = await startRecordingUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`data: ${chunk('hi')}\n\ndata: [DONE]\n\n`);
      setTimeout(() => res.end(), 30);
    });
    // One connection at most: a later request waits for the socket, so a socket that was handed back is reused
    // whatever the machine's speed, and one that was not shows up as a second connection.
    const pool = new Pool(new URL(upstream.url).origin, { connections: 1, keepAliveTimeout: 10_000, allowH2: false });
    try {
      const c = connect(upstream.url, { dispatcher: pool });
      for (let i = 0; i < 3; i++) {
        const stream = await c.streamChatCompletion(request);
        expect((await collect(stream)).map((event) => event.data)).toEqual([chunk('hi')]);
        expect(stream.sawDone).toBe(true);
      }
      expect(upstream.requests).toHaveLength(3);
      expect(upstream.connections).toBe(1);
    } finally {
      await pool.close();
    }
  });

  it('releases the upstream connection when the consumer stops early', async () => {
    upstream = await startRecordingUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`data: ${chunk('one')}\n\n`);
    });
    const stream = await connect(upstream.url).streamChatCompletion(request);
    for await (const read of stream) {
      expect(read.events[0]?.data).toBe(chunk('one'));
      break;
    }
    await upstream.requests[0]!.closed;
    expect(upstream.requests[0]!.cancelled()).toBe(true);
  });
});

describe('createEmbeddings', () => {
  it("answers the base64 a client asked for when the upstream sent numbers anyway (the openai SDK would decode them as bytes)", async () => {
    const vector = [0.5, -0.25];
    upstream = await startRecordingUpstream((_request, response) =>
      sendJson(response, 200, { object: 'list', data: [{ index: 0, embedding: vector, object: 'embedding' }], usage: { prompt_tokens: 1, total_tokens: 1 } }),
    );
    const base = connect(upstream.url);
    const asked = JSON.parse((await base.createEmbeddings({ model: 'm', input: 'x', encoding_format: 'base64' })).rawBody) as { data: { embedding: unknown }[] };
    expect(asked.data[0]!.embedding).toBe(Buffer.from(new Float32Array(vector).buffer).toString('base64'));
    const floats = await base.createEmbeddings({ model: 'm', input: 'x' });
    expect((JSON.parse(floats.rawBody) as { data: { embedding: unknown }[] }).data[0]!.embedding).toEqual(vector);
  });
});
