import type { ProxyHarness } from '@proxy/testkit/harness';
import { expect } from 'vitest';

// What the framework suites check at NIM: the chat request a client's turn became, and that no key leaks into
// an error. One copy, so the suites for different clients hold each client to the same rules.

export interface ChatMessage {
  role: string;
  content?: unknown;
  tool_calls?: { id: unknown; type: string; function: { name: string; arguments: string } }[];
  tool_call_id?: unknown;
}

/** A chat completion request as NIM received it. */
export interface ChatBody {
  model: string;
  messages: ChatMessage[];
  tools?: { type: string; function: { name: string; description?: string; parameters?: unknown } }[];
  tool_choice?: unknown;
  response_format?: { type: string; json_schema?: { name?: string; schema?: unknown; strict?: boolean } };
  stream?: boolean;
}

/** Every chat completion request the mock NIM received, in order. */
export function chatRequestsOf(mock: ProxyHarness['mock']): ChatBody[] {
  return mock.requests.to('/chat/completions').map((request) => request.body as ChatBody);
}

/**
 * Two NIM requests: the first offered `get_weather`, the second carried the calls (for the cities in order) and
 * their results (`sunny in <city>`), each under the id the client had for its call, the results right after
 * their calls, as chat templates require.
 */
export function expectWeatherRoundTrip(requests: readonly ChatBody[], callIds: readonly string[], streamed: boolean, cities: readonly { city: string }[]): void {
  expect(new Set(callIds).size).toBe(cities.length);
  const [first, second, ...more] = requests;
  expect(more).toEqual([]);
  expect(first!.stream).toBe(streamed);
  expect(first!.tools?.map((offered) => offered.function.name)).toEqual(['get_weather']);
  expect(first!.tools?.[0]?.function.parameters).toMatchObject({ type: 'object', properties: { city: { type: 'string' } } });
  const assistant = second!.messages.filter((message) => message.role === 'assistant');
  expect(assistant).toHaveLength(1);
  const calls = assistant[0]!.tool_calls ?? [];
  expect(calls.map((call) => [call.id, call.type, call.function.name, JSON.parse(call.function.arguments)])).toEqual(
    cities.map((city, index) => [callIds[index], 'function', 'get_weather', city]),
  );
  const results = second!.messages.filter((message) => message.role === 'tool');
  expect(results).toEqual(cities.map((city, index) => ({ role: 'tool', tool_call_id: callIds[index], content: `sunny in ${city.city}` })));
  expect(second!.messages.indexOf(results[0]!)).toBe(second!.messages.indexOf(assistant[0]!) + 1);
}

/** NIM's next answer refuses the request quoting both keys, as a misbehaving upstream might. */
export function nimRefusesQuoting(mock: ProxyHarness['mock'], keys: { upstream: string; proxy: string }): void {
  mock.failNext({
    type: 'http-error',
    status: 400,
    body: { status: 400, title: 'Bad Request', detail: `temperature out of range (key ${keys.upstream}, client ${keys.proxy})` },
  });
}

/** Neither key, nor its last ten characters, in `text`. */
export function expectNoKeys(text: string, keys: readonly string[]): void {
  for (const key of keys) {
    expect(text).not.toContain(key);
    expect(text).not.toContain(key.slice(-10));
  }
}

/** The error `promise` rejects with; fails the test when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}
