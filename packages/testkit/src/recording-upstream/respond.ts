import type { ServerResponse } from 'node:http';

/** Answers with JSON (a string body is sent as it is, so tests can send malformed or non-JSON bodies). */
export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  response.end(text);
}

/**
 * Answers with an SSE stream: each event as one `data:` event (objects as JSON), then `[DONE]` unless `done` is
 * false, and the end of the body. Everything is written at once; a test that needs a gap drives the response itself.
 */
export function sendSse(response: ServerResponse, events: readonly unknown[], options: { done?: boolean; status?: number } = {}): void {
  response.writeHead(options.status ?? 200, { 'content-type': 'text/event-stream' });
  for (const event of events) response.write(`data: ${typeof event === 'string' ? event : JSON.stringify(event)}\n\n`);
  response.end(options.done === false ? undefined : 'data: [DONE]\n\n');
}
