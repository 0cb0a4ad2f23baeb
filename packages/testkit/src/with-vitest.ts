import { afterAll, afterEach, beforeAll } from 'vitest';
import { createNimServer, type CreateNimServerOptions, type NimMswServer } from './msw/create-nim-server.js';
import { startMockNim, type MockNimServer, type StartMockNimOptions } from './node/start-mock-nim.js';

/**
 * Starts a listening mock NIM before the suite's tests, resets it after each test and closes it after all.
 * Call it at the top of a `describe` (or file); use the returned accessor inside tests and hooks.
 */
export function useMockNim(options: StartMockNimOptions = {}): () => MockNimServer {
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
  return () => {
    if (!server) throw new Error('useMockNim: the mock NIM is only running inside the suite (tests and hooks)');
    return server;
  };
}

/**
 * The in-process (msw `setupServer`) mock for `fetch` clients such as the `openai` SDK: listening before the suite's
 * tests, reset after each, closed after all. Create SDK clients inside tests: the SDK captures `fetch` when built.
 */
export function useNimServer(options: CreateNimServerOptions = {}): NimMswServer {
  const server = createNimServer(options);
  beforeAll(() => server.listen());
  afterEach(() => server.reset());
  afterAll(() => server.close());
  return server;
}
