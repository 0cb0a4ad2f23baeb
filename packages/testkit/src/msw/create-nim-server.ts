import type { RequestHandler } from 'msw';
import { setupServer, type SetupServer } from 'msw/node';
import { createNimMock, type NimMock } from '../handlers/create-nim-mock.js';
import type { RequestRecorder } from '../handlers/recorder.js';
import type { Fault, Scenario } from '../handlers/scenario.js';
import type { EnqueueOptions } from '../handlers/scenario-control.js';
import type { NimMockOptions } from '../handlers/settings.js';
import { cancelUnreadClones } from './cancel-unread-clones.js';

/** Hosted NIM's origin: by default the msw adapter stands in for the real service. */
export const NIM_HOSTED_ORIGIN = 'https://integrate.api.nvidia.com';

export interface CreateNimServerOptions extends Omit<NimMockOptions, 'httpVersionOf'> {
  /** The origin to intercept (default {@link NIM_HOSTED_ORIGIN}); `'*'` intercepts the API paths on any origin. */
  origin?: string;
  /**
   * What msw does with requests no handler answers (default `'bypass'`, so a test can still talk to a real
   * local server, e.g. the proxy under test, with fetch).
   */
  onUnhandledRequest?: 'bypass' | 'warn' | 'error';
}

export interface NimMswServer {
  /** The API base URL to give a fetch-based client, e.g. `https://integrate.api.nvidia.com/v1`. */
  readonly url: string;
  readonly origin: string;
  readonly requests: RequestRecorder;
  readonly mock: NimMock;
  /** The underlying msw server, for anything not covered here. */
  readonly server: SetupServer;
  /** Starts intercepting `fetch` (and `node:http` clients) in this process. */
  listen(): void;
  setScenario(scenario: Scenario | undefined): void;
  enqueue(scenario: Scenario, options?: EnqueueOptions): void;
  failNext(fault: Fault, times?: number): void;
  /** Per-test msw handlers, tried before the mock's routes (after the recorder), newest first. */
  use(...handlers: RequestHandler[]): void;
  /** `mock.reset()` and drops the `use()` handlers. */
  reset(): void;
  /** Ends requests in flight and stops intercepting. */
  close(): void;
}

/**
 * The mock behind msw's `setupServer`, for clients that use `fetch` (the `openai` SDK does). It cannot see
 * undici's own `request`/`Pool`/`Client`: use `@proxy/testkit/node` for those. Socket faults are approximated:
 * `reset` and `hang` (once the client aborts) reject `fetch` with a `TypeError`, `disconnect` errors the body
 * stream.
 */
export function createNimServer(options: CreateNimServerOptions = {}): NimMswServer {
  const { onUnhandledRequest = 'bypass', origin = NIM_HOSTED_ORIGIN, ...mockOptions } = options;
  const mock = createNimMock({ ...mockOptions, origin });
  const server = setupServer(...mock.handlers);
  let overrides: RequestHandler[] = [];
  const interceptedOrigin = mock.settings.origin;
  let stopCancelling = (): void => undefined;

  return {
    url: `${interceptedOrigin === '*' ? '' : interceptedOrigin}${mock.settings.basePath}`,
    origin: interceptedOrigin,
    requests: mock.requests,
    mock,
    server,
    listen() {
      server.listen({ onUnhandledRequest });
      stopCancelling();
      stopCancelling = cancelUnreadClones(server);
    },
    setScenario: (scenario) => mock.setScenario(scenario),
    enqueue: (scenario, enqueueOptions) => mock.enqueue(scenario, enqueueOptions),
    failNext: (fault, times) => mock.failNext(fault, times),
    use(...handlers) {
      overrides = [...handlers, ...overrides];
      server.resetHandlers(mock.recordingHandler, ...overrides, ...mock.routeHandlers);
    },
    reset() {
      overrides = [];
      // msw 2.15's resetHandlers(...next) makes `next` the new initial list: always pass the full one.
      server.resetHandlers(...mock.handlers);
      mock.reset();
    },
    close() {
      mock.dispose();
      stopCancelling();
      server.close();
    },
  };
}
