import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { expectOpenAIError, expectStreamError, MODEL, postChat, PROXY_KEY, startStack, UPSTREAM_KEY, type Stack } from './support/stack.js';

// Upstreams that lie, never stop or echo what they were sent, each a real node:http server: whatever they do, the
// client gets an answer in OpenAI's shape, the request gets its log line, and no key leaves the proxy.

type Handler = (request: IncomingMessage, response: ServerResponse) => void;
let handler: Handler = (_request, response) => response.end();
let evil: Server;
let stack: Stack;
let upstreamClosed: Promise<void>;

beforeAll(async () => {
  evil = createServer((request, response) => {
    upstreamClosed = new Promise((resolve) => response.on('close', () => resolve()));
    request.resume();
    request.on('end', () => handler(request, response));
  });
  await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
  const { port } = evil.address() as { port: number };
  stack = await startStack({
    config: {
      failure_handling: { max_retries: 0 },
      backends: { evil: { type: 'openai', api_url: `http://127.0.0.1:${port}/v1`, api_key: UPSTREAM_KEY, models: [MODEL] } },
    },
  });
});
afterAll(async () => {
  await stack.close();
  evil.closeAllConnections();
  await new Promise((resolve) => evil.close(resolve));
});
beforeEach(() => {
  stack.logs.length = 0;
});

const ask = (stream: boolean) => postChat(stack, { model: `evil:${MODEL}`, messages: [{ role: 'user', content: 'hi' }], stream });
const chunk = (extra: Record<string, unknown>) => `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', choices: [{ index: 0, delta: {}, finish_reason: null, ...extra }] })}\n\n`;

/** The request's one log line. */
function requestLine(): Record<string, unknown> {
  const lines = stack.logs.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.route === '/v1/chat/completions');
  expect(lines).toHaveLength(1);
  return lines[0]!;
}

/** Writes `piece` for ever (until the proxy cuts the connection), as fast as the socket takes it. */
function endless(response: ServerResponse, piece: string): void {
  const bytes = Buffer.from(piece.repeat(Math.ceil(65_536 / piece.length)));
  const pump = () => {
    while (!response.destroyed && response.write(bytes));
    if (!response.destroyed) response.once('drain', pump);
  };
  pump();
}

describe('an upstream that never stops', () => {
  it('a 200 JSON body that never ends: 502 upstream_response_too_large past the limit, the connection cut, a log line', async () => {
    handler = (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"id":"');
      endless(response, 'x');
    };
    const answer = await ask(false);
    expect(answer.status).toBe(502);
    expect(expectOpenAIError(JSON.parse(answer.text)).code).toBe('upstream_response_too_large');
    await upstreamClosed;
    expect(requestLine()).toMatchObject({ status: 502, error_code: 'upstream_response_too_large' });
  });

  it('an SSE line that never ends: an error event once it passes the cap, the connection cut, a log line', async () => {
    handler = (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(chunk({ delta: { content: 'a' } }));
      response.write('data: {"choices":[{"delta":{"content":"');
      endless(response, 'y');
    };
    const answer = await ask(true);
    expectStreamError(answer, 'upstream_response_too_large');
    await upstreamClosed;
    expect(requestLine()).toMatchObject({ status: 200, error_code: 'upstream_response_too_large' });
  });
});

describe('an upstream that echoes the key it was sent', () => {
  it('never hands the key to the client, in a 200 JSON answer or a stream', async () => {
    handler = (request, response) => {
      const echo = `${request.headers.authorization} ${Buffer.from(String(request.headers.authorization)).toString('base64')} ${UPSTREAM_KEY.slice(0, 12)}`;
      if (request.headers.accept === 'text/event-stream') {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        response.end(chunk({ delta: { content: echo } }) + chunk({ finish_reason: 'stop' }) + 'data: [DONE]\n\n');
      } else {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ id: 'c', choices: [{ index: 0, message: { role: 'assistant', content: echo }, finish_reason: 'stop' }] }));
      }
    };
    for (const stream of [false, true]) {
      const answer = await ask(stream);
      expect(answer.status).toBe(200);
      expect(answer.text).toContain('[redacted]');
      expect(answer.text).not.toContain(UPSTREAM_KEY.slice(0, 12));
      expect(answer.text).not.toContain(Buffer.from(`Bearer ${UPSTREAM_KEY}`).toString('base64').slice(8, 40));
    }
  });
});

describe('an upstream that echoes the key in a header the proxy passes on', () => {
  it.each([
    ['/v1/chat/completions', { messages: [{ role: 'user', content: 'hi' }] }],
    ['/v1/messages', { max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }],
    ['/v1/responses', { input: 'hi' }],
    ['/v1/embeddings', { input: 'hi' }],
  ])('regression: a retry-after that is no number of seconds nor a date is dropped on %s; it was relayed as it came, key and all', async (path, body) => {
    handler = (_request, response) =>
      response.writeHead(429, { 'content-type': 'application/json', 'retry-after': `${UPSTREAM_KEY}` }).end('{"error":{"message":"slow down"}}');
    const answer = await request(`${stack.proxy.url}${path}`, {
      method: 'POST',
      dispatcher: stack.agent,
      headers: { authorization: `Bearer ${PROXY_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: `evil:${MODEL}`, ...body }),
    });
    const text = await answer.body.text();
    expect(answer.statusCode).toBe(429);
    expect(answer.headers['retry-after']).toBeUndefined();
    expect(JSON.stringify(answer.headers) + text).not.toContain(UPSTREAM_KEY.slice(-12));
  });
});

describe('an upstream that lies about what it sends', () => {
  it.each([
    ['an HTML page', (response: ServerResponse) => response.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Sign in</body></html>'), /text\/html/],
    ['a gzip body it was not asked for', (response: ServerResponse) => response.writeHead(200, { 'content-type': 'text/event-stream', 'content-encoding': 'gzip' }).end('\x1f\x8b'), /gzip/],
    ['a redirect', (response: ServerResponse) => response.writeHead(302, { location: 'http://10.0.0.1/login' }).end(), /302/],
  ])('answering a stream with %s is a 502 naming it, never 200 with [DONE]', async (_what, respond, reason) => {
    handler = (_request, response) => respond(response);
    const answer = await ask(true);
    expect(answer.status).toBe(502);
    const error = expectOpenAIError(JSON.parse(answer.text));
    expect(error.code).toBe('upstream_invalid_response');
    expect(error.message).toMatch(reason);
    expect(error.message).not.toMatch(/127\.0\.0\.1|10\.0\.0\.1/);
    expect(requestLine()).toMatchObject({ status: 502, upstream_url: expect.stringContaining('/v1/chat/completions') });
  });

  it('a stream that just stops, with no finish_reason and no [DONE], ends in an error event, never [DONE]', async () => {
    handler = (_request, response) => response.writeHead(200, { 'content-type': 'text/event-stream' }).end(chunk({ delta: { content: 'half an ans' } }));
    expectStreamError(await ask(true), 'upstream_stream_truncated');
  });

  it("a data line that is not JSON in the stream's first read is a 502 naming it, before anything is sent", async () => {
    handler = (_request, response) =>
      response.writeHead(200, { 'content-type': 'text/event-stream' }).end(chunk({ delta: { content: 'ok' } }) + 'data: {"truncated":\n\n' + 'data: [DONE]\n\n');
    const answer = await ask(true);
    expect(answer.status).toBe(502);
    expect(expectOpenAIError(JSON.parse(answer.text)).code).toBe('upstream_invalid_response');
    expect(answer.text).not.toContain('truncated');
  });

  it('a body that opens as JSON, not as an event stream, is a 502 naming it', async () => {
    handler = (_request, response) => response.writeHead(200, { 'content-type': 'text/event-stream' }).end('{"error":{"message":"quota exceeded"}}');
    const answer = await ask(true);
    expect(answer.status).toBe(502);
    const error = expectOpenAIError(JSON.parse(answer.text));
    expect(error.code).toBe('upstream_invalid_response');
    expect(error.message).toContain('not an event stream');
  });

  it('informational answers (103 Early Hints) before the real one are skipped', async () => {
    handler = (_request, response) => {
      response.writeEarlyHints({ link: '</style.css>; rel=preload' });
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 'c', choices: [{ index: 0, message: { role: 'assistant', content: 'fine' }, finish_reason: 'stop' }] }));
    };
    const answer = await ask(false);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toMatchObject({ choices: [{ message: { content: 'fine' } }] });
  });
});
