import { PROXY_KEY } from './proxy.js';

export interface SseResponse {
  status: number;
  headers: Headers;
  /** Every byte of the body, once it ended. */
  text: Promise<string>;
  /** Aborts the request (the client going away). */
  abort(): void;
  /** Resolves once the body text contains `needle` (or satisfies it). */
  waitFor(needle: string | ((text: string) => boolean)): Promise<void>;
}

/** POSTs a chat request and exposes the raw SSE body as it arrives. */
export async function postChat(baseUrl: string, body: unknown, key = PROXY_KEY): Promise<SseResponse> {
  const controller = new AbortController();
  const response = await fetch(`${baseUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify(body),
    signal: controller.signal,
  });
  let received = '';
  const waiters: { test: (text: string) => boolean; resolve: () => void }[] = [];
  const text = (async () => {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        received += decoder.decode(chunk, { stream: true });
        for (const waiter of waiters.filter((w) => w.test(received))) {
          waiter.resolve();
          waiters.splice(waiters.indexOf(waiter), 1);
        }
      }
    } catch {
      // aborted by the test or cut by the server: what arrived is the answer
    }
    return received;
  })();
  return {
    status: response.status,
    headers: response.headers,
    text,
    abort: () => controller.abort(),
    waitFor(needle) {
      const test = typeof needle === 'string' ? (text: string) => text.includes(needle) : needle;
      return test(received) ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ test, resolve }));
    },
  };
}

/** The `data:` payloads of an SSE text, in order. */
export function dataFrames(text: string): string[] {
  return text
    .split('\n\n')
    .filter((frame) => frame.startsWith('data: '))
    .map((frame) => frame.slice('data: '.length));
}

/** A keep-alive chunk: one choice with an empty delta, no finish_reason and no usage (it carries the response's id). */
export function isKeepalive(data: string): boolean {
  if (!data.startsWith('{')) return false;
  const chunk = JSON.parse(data) as { choices?: { delta?: object; finish_reason?: unknown }[]; usage?: unknown };
  const choice = chunk.choices?.length === 1 ? chunk.choices[0] : undefined;
  return choice !== undefined && Object.keys(choice.delta ?? {}).length === 0 && choice.finish_reason === null && chunk.usage === undefined;
}
