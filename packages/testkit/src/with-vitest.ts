import { afterAll, afterEach, beforeAll } from 'vitest';
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
