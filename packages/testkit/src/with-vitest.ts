import { afterAll, afterEach, beforeAll } from 'vitest';
import { createNimServer, type CreateNimServerOptions, type NimMswServer } from './msw/create-nim-server.js';
import { startMockNim, type MockNimServer, type StartMockNimOptions } from './node/start-mock-nim.js';

/**
 * What useMockNim returns: the running server's own members (`nim.url`, `nim.requests`, `nim.failNext(…)`), read
 * live, like useNimServer's object. Calling it (`nim()`) answers the server itself, as in 0.1.0; kept so
 * existing suites run unchanged.
 */
export type MockNimHandle = MockNimServer & (() => MockNimServer);

/**
 * Starts a listening mock NIM before the suite's tests, resets it after each test and closes it after all.
 * Call it at the top of a `describe` (or file); use the returned handle (`nim.url`) inside tests and hooks: the
 * server only exists between beforeAll and afterAll, so its members are read when used, not when the suite is
 * declared.
 */
export function useMockNim(options: StartMockNimOptions = {}): MockNimHandle {
  let server: MockNimServer | undefined;
  beforeAll(async () => {
    server = await startMockNim(options);
  });
  afterEach(() => {
    server?.reset();
  });
  afterAll(async () => {
    await server?.close();
    server = undefined;
  });
  const current = (): MockNimServer => {
    if (!server) throw new Error('useMockNim: the mock NIM is only running inside the suite (tests and hooks)');
    return server;
  };
  // A function target, so the handle is callable; every other property is the live server's (methods bound to it).
  return new Proxy(current, {
    get(_target, property) {
      const running = current();
      const value: unknown = Reflect.get(running, property, running);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(running) : value;
    },
    has: (_target, property) => property in current(),
  }) as MockNimHandle;
}

/**
 * The in-process (msw `setupServer`) mock for `fetch` clients such as the `openai` SDK: listening before the suite's
 * tests, reset after each, closed after all. Same shape as useMockNim's handle (`nim.url`). Create SDK clients
 * inside tests: the SDK captures `fetch` when built.
 */
export function useNimServer(options: CreateNimServerOptions = {}): NimMswServer {
  const server = createNimServer(options);
  beforeAll(() => server.listen());
  afterEach(() => server.reset());
  afterAll(() => server.close());
  return server;
}
