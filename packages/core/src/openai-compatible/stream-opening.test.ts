import { sendSse, startRecordingUpstream, type RecordingUpstream } from '@proxy/testkit/recording-upstream';
import { afterEach, describe, expect, it } from 'vitest';
import { ProxyError } from '../errors/proxy-error.js';
import type { ChatCompletionRequest } from '../schemas/chat-request.js';
import { OpenAICompatibleConnector } from './openai-compatible-connector.js';

const request: ChatCompletionRequest = { model: 'm', messages: [{ role: 'user', content: 'Hi' }], stream: true };
const chunk = (content: string, finish: string | null = null) => ({ id: 'c', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content }, finish_reason: finish }] });

let upstream: RecordingUpstream | undefined;
let connector: OpenAICompatibleConnector | undefined;
afterEach(async () => {
  await connector?.close();
  await upstream?.close();
  connector = upstream = undefined;
});

async function open(answer: Parameters<typeof startRecordingUpstream>[0]) {
  upstream = await startRecordingUpstream(answer);
  connector = new OpenAICompatibleConnector({ name: 'up', baseURL: upstream.url, apiKey: 'sk-test-key-000000000000' });
  return connector.streamChatCompletion(request);
}

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected the call to be refused');
    },
    (error: unknown) => {
      if (!ProxyError.isInstance(error)) throw error;
      return error;
    },
  );

describe('a stream call resolves only once its first read looks right', () => {
  it('refuses a stream that opens with an error event, with the status the event gives', async () => {
    const failed = await refusal(open((_req, res) => sendSse(res, [{ error: { object: 'error', message: 'engine died', code: 500 } }], { done: false })));
    expect(failed).toMatchObject({ status: 502, code: 'upstream_stream_error', isRetryable: true });
    expect(failed.message).toBe('The up upstream reported an error in its stream: engine died');
    await connector!.close();
    await upstream!.close();
    // vLLM's serialisation (spaces after colons), the bare form and a status the client caused.
    const bare = await refusal(open((_req, res) => sendSse(res, ['{"object": "error", "message": "too long", "code": 400}'], { done: false })));
    expect(bare).toMatchObject({ status: 400, isRetryable: false });
  });

  it('refuses a 200 event stream whose body is JSON or markup, naming it', async () => {
    const json = await refusal(
      open((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end('{"error":{"message":"quota"}}');
      }),
    );
    expect(json).toMatchObject({ status: 502, code: 'upstream_invalid_response' });
    expect(json.message).toContain('opens with a JSON object');
    await connector!.close();
    await upstream!.close();
    const html = await refusal(
      open((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end('\uFEFF<html><body>Bad gateway</body></html>');
      }),
    );
    expect(html.message).toContain('opens with markup');
  });

  it('refuses a body that ends before its first event', async () => {
    const empty = await refusal(
      open((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end(': just a comment\n\n');
      }),
    );
    expect(empty).toMatchObject({ status: 502, code: 'upstream_stream_truncated' });
  });

  it('hands out the first read it checked, then the rest, and leaves an error event later in the stream to the reader', async () => {
    const stream = await open((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`data: ${JSON.stringify(chunk('error'))}\n\n`);
      setImmediate(() => res.end(`data: ${JSON.stringify({ error: { message: 'later' } })}\n\ndata: ${JSON.stringify(chunk('', 'stop'))}\n\ndata: [DONE]\n\n`));
    });
    const data: string[] = [];
    for await (const read of stream) for (const event of read.events) data.push(event.data);
    expect(data.map((text) => JSON.parse(text) as unknown)).toEqual([chunk('error'), { error: { message: 'later' } }, chunk('', 'stop')]);
    expect(stream.sawDone).toBe(true);
  });
});
