import { ProxyError } from '@proxy/core';
import { sendJson, startRecordingUpstream, type RecordingUpstream } from '@proxy/testkit/recording-upstream';
import { afterEach, describe, expect, it } from 'vitest';
import { NvidiaConnector } from './nvidia-connector.js';
import { userMessage } from './test-support/fixtures.js';

const KEY = 'nvapi-secret-key-123';

let server: RecordingUpstream | undefined;
let connector: NvidiaConnector | undefined;

afterEach(async () => {
  await connector?.close();
  await server?.close();
});

interface Case {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  expected: RegExp[];
  type: string;
}

const cases: Record<string, Case> = {
  '401 with WWW-Authenticate and no body': {
    status: 401,
    body: '',
    headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
    expected: [/NVIDIA refused the API key/, /not enabled for this NVIDIA account/, /backends\.nvidia\.api_key/, /Unauthorized/],
    type: 'authentication_error',
  },
  '403 problem details': {
    status: 403,
    body: { status: 403, title: 'Forbidden', detail: 'Authorization failed' },
    expected: [/NVIDIA refused the API key/, /Authorization failed/],
    type: 'permission_error',
  },
  '404 unknown or not-entitled model': {
    status: 404,
    body: { status: 404, title: 'Not Found', detail: "Function 'f6c0e8a2': Not found for account 'acc-1'" },
    expected: [/unknown, not enabled for this NVIDIA account, or retired/, /Function 'f6c0e8a2': Not found for account 'acc-1'/],
    type: 'not_found_error',
  },
  '410 retired model': {
    status: 410,
    body: { status: 410, title: 'Gone' },
    expected: [/retired/, /Gone/],
    type: 'not_found_error',
  },
  '422 extra inputs': {
    status: 422,
    body: {
      type: 'urn:inference-service:problem-details:bad-request',
      status: 422,
      title: 'Unprocessable Entity',
      detail: "body -> reasoning: Extra inputs are not permitted",
    },
    expected: [/NIM rejected a field/, /Extra inputs are not permitted/],
    type: 'invalid_request_error',
  },
  '400 unsupported parameter message': {
    status: 400,
    body: { message: 'Validation: Unsupported parameter(s): `frequency_penalty`' },
    expected: [/NIM rejected a field/, /Unsupported parameter\(s\): `frequency_penalty`/],
    type: 'invalid_request_error',
  },
  '400 FastAPI extra_forbidden detail': {
    status: 400,
    body: { detail: { type: 'extra_forbidden', loc: ['body', 'dimensions'] } },
    expected: [/NIM rejected a field/, /extra_forbidden \(at body\.dimensions\)/],
    type: 'invalid_request_error',
  },
  '400 OpenAI-shaped unrecognized argument': {
    status: 400,
    body: { error: { message: 'Unrecognized request argument supplied: frequency_penalty', type: 'invalid_request_error', param: 'frequency_penalty', code: null } },
    expected: [/NIM rejected a field/, /Unrecognized request argument supplied: frequency_penalty/],
    type: 'invalid_request_error',
  },
  '400 OpenAI-shaped error': {
    status: 400,
    body: { error: { message: 'messages: at least one message is required', type: 'BadRequestError' } },
    expected: [/NIM rejected the request/, /at least one message is required/],
    type: 'BadRequestError',
  },
  '400 a model served without a tool-call parser, offered tools': {
    status: 400,
    body: { object: 'error', message: '"auto" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set', type: 'BadRequestError', param: null, code: 400 },
    expected: [/cannot call tools/, /pick a model that supports tool calling/, /--enable-auto-tool-choice/],
    type: 'invalid_request_error',
  },
  '503 problem details': {
    status: 503,
    body: { status: 503, title: 'Service Unavailable', detail: 'Function is not ready: no instances available' },
    expected: [/The nvidia upstream answered HTTP 503/, /no instances available/],
    type: 'upstream_error',
  },
  '429 rate limit': {
    status: 429,
    body: { status: 429, title: 'Too Many Requests' },
    headers: { 'retry-after': '7' },
    expected: [/rate-limited/, /Too Many Requests/],
    type: 'rate_limit_error',
  },
};

async function failWith(answer: Case, stream: boolean): Promise<ProxyError> {
  server = await startRecordingUpstream((_request, response) => sendJson(response, answer.status, answer.body, answer.headers));
  connector = new NvidiaConnector({ baseURL: server.url, apiKey: KEY, env: {}, healthCheck: false, keepAliveTimeoutMs: 10 });
  const request = { model: 'meta/llama3-70b', messages: userMessage };
  const error = await (stream ? connector.streamChatCompletion(request) : connector.chatCompletion(request)).catch((e: unknown) => e);
  if (!ProxyError.isInstance(error)) throw new Error(`expected a ProxyError, got ${String(error)}`);
  return error;
}

describe('NIM error answers', () => {
  it.each(Object.entries(cases))('%s reaches the client with its status and reason', async (_name, answer) => {
    const error = await failWith(answer, false);
    const body = error.toBody();
    expect(error.status).toBe(answer.status);
    expect(body.error.type).toBe(answer.type);
    for (const pattern of answer.expected) expect(body.error.message).toMatch(pattern);
  });

  it('rejects a streaming request with the same status before any event', async () => {
    const answer = cases['422 extra inputs'];
    if (!answer) throw new Error('missing case');
    const error = await failWith(answer, true);
    expect(error.status).toBe(422);
    expect(error.message).toMatch(/Extra inputs are not permitted/);
  });

  it('passes on Retry-After with a 429', async () => {
    const answer = cases['429 rate limit'];
    if (!answer) throw new Error('missing case');
    expect((await failWith(answer, false)).headers).toEqual({ 'retry-after': '7' });
  });

  it('never shows the API key, even when NVIDIA echoes it', async () => {
    const error = await failWith(
      { status: 403, body: { status: 403, title: 'Forbidden', detail: `Authorization failed for ${KEY}` }, expected: [], type: '' },
      false,
    );
    expect(error.message).toMatch(/Authorization failed for \[redacted\]/);
    expect(JSON.stringify(error.toBody())).not.toContain(KEY);
    expect(error.responseBody).not.toContain(KEY);
  });
});
