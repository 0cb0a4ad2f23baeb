import { sendJson, startRecordingUpstream, type RecordingUpstream } from '@proxy/testkit/recording-upstream';
import { afterEach, describe, expect, it } from 'vitest';
import type { UpstreamTrace } from '../connector.js';
import type { ChatCompletionRequest } from '../schemas/chat-request.js';
import { OpenAICompatibleConnector } from './openai-compatible-connector.js';

const request: ChatCompletionRequest = { model: 'm', messages: [{ role: 'user', content: 'Hi' }] };
const completion = { id: 'c1', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }] };

let upstream: RecordingUpstream | undefined;
let connector: OpenAICompatibleConnector | undefined;
afterEach(async () => {
  await connector?.close();
  await upstream?.close();
});

async function start(headers: Record<string, string>, status = 200) {
  upstream = await startRecordingUpstream((_request, response) => {
    if (_request.body?.includes('"stream":true')) {
      response.writeHead(status, { 'content-type': status === 200 ? 'text/event-stream' : 'application/json', ...headers });
      response.end(status === 200 ? `data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\ndata: [DONE]\n\n` : '{}');
      return;
    }
    sendJson(response, status, status === 200 ? completion : { status, title: 'Bad' }, headers);
  });
  connector = new OpenAICompatibleConnector({ name: 't', baseURL: upstream.url, apiKey: 'k', requestIdHeader: 'NVCF-REQID', keepAliveTimeoutMs: 10 });
  return connector;
}

describe('tracing a call across the proxy and the upstream', () => {
  it('sends the request id upstream as x-request-id, JSON and stream, and only when given', async () => {
    const chat = await start({});
    await chat.chatCompletion(request, { requestId: 'req-1' });
    const stream = await chat.streamChatCompletion(request, { requestId: 'req-2' });
    for await (const _read of stream) void _read;
    await chat.chatCompletion(request);
    expect(upstream!.requests.map((sent) => sent.headers['x-request-id'])).toEqual(['req-1', 'req-2', undefined]);
  });

  it('notes the upstream’s id for the call from the configured header, on success and on an error answer', async () => {
    const chat = await start({ 'nvcf-reqid': 'a1b2-c3' });
    const trace: UpstreamTrace = {};
    await chat.chatCompletion(request, { trace });
    expect(trace.upstreamRequestId).toEqual({ header: 'nvcf-reqid', value: 'a1b2-c3' });

    const streamTrace: UpstreamTrace = {};
    const stream = await chat.streamChatCompletion(request, { trace: streamTrace });
    stream.cancel();
    expect(streamTrace.upstreamRequestId?.value).toBe('a1b2-c3');
  });

  it('notes it when the upstream answered an error too', async () => {
    const chat = await start({ 'nvcf-reqid': 'err-9' }, 422);
    const trace: UpstreamTrace = {};
    await expect(chat.chatCompletion(request, { trace })).rejects.toMatchObject({ status: 422 });
    expect(trace.upstreamRequestId?.value).toBe('err-9');
  });

  it('leaves out an id that carries the key it was sent: an upstream writes that header, and it reaches the client', async () => {
    const key = 'nvapi-upstream-key-0123456789';
    upstream = await startRecordingUpstream((_request, response) => sendJson(response, 200, completion, { 'nvcf-reqid': `id-${key}` }));
    connector = new OpenAICompatibleConnector({ name: 't', baseURL: upstream.url, apiKey: key, requestIdHeader: 'nvcf-reqid', keepAliveTimeoutMs: 10 });
    const trace: UpstreamTrace = {};
    await connector.chatCompletion(request, { trace });
    expect(trace.upstreamRequestId).toBeUndefined();
  });

  it('leaves out an id that is not short and plain', async () => {
    const chat = await start({ 'nvcf-reqid': 'x'.repeat(200) });
    const trace: UpstreamTrace = {};
    await chat.chatCompletion(request, { trace });
    expect(trace.upstreamRequestId).toBeUndefined();
  });
});
