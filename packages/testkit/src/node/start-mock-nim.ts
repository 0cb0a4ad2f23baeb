import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getResponse, type RequestHandler } from 'msw';
import { createNimMock, type NimMock } from '../handlers/create-nim-mock.js';
import { problemResponse } from '../handlers/problem-details.js';
import type { RequestRecorder } from '../handlers/recorder.js';
import type { Fault, Scenario } from '../handlers/scenario.js';
import type { EnqueueOptions } from '../handlers/scenario-control.js';
import type { NimMockOptions } from '../handlers/settings.js';
import { toFetchRequest } from './to-fetch-request.js';
import { writeResponse } from './write-response.js';

export interface StartMockNimOptions extends Omit<NimMockOptions, 'origin' | 'httpVersionOf'> {
  /** Default 0: a free port. */
  port?: number;
  /** Default `'127.0.0.1'`. */
  host?: string;
}

export interface MockNimServer {
  /** The API base URL, e.g. `http://127.0.0.1:43210/v1`: what a client's `baseURL` should be. */
  readonly url: string;
  /** e.g. `http://127.0.0.1:43210`. */
  readonly origin: string;
  readonly port: number;
  readonly host: string;
  readonly requests: RequestRecorder;
  readonly mock: NimMock;
  setScenario(scenario: Scenario | undefined): void;
  enqueue(scenario: Scenario, options?: EnqueueOptions): void;
  failNext(fault: Fault, times?: number): void;
  /** Per-test msw handlers, tried before the mock's routes (after the recorder), newest first. */
  use(...handlers: RequestHandler[]): void;
  /** `mock.reset()` and drops the `use()` handlers. */
  reset(): void;
  /** Ends requests in flight, destroys every open socket, stops listening. */
  close(): Promise<void>;
}

/** A real HTTP/1.1 server (`node:http`) answering with the mock's msw handlers through `getResponse`. */
export async function startMockNim(options: StartMockNimOptions = {}): Promise<MockNimServer> {
  const { port = 0, host = '127.0.0.1', ...mockOptions } = options;
  const httpVersions = new WeakMap<Request, string>();
  const mock = createNimMock({ ...mockOptions, origin: '*', httpVersionOf: (request) => httpVersions.get(request) });
  let overrides: RequestHandler[] = [];
  let origin = '';

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const clientGone = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) clientGone.abort(new Error('mock-nim: client disconnected'));
    });
    res.on('error', () => undefined);
    req.socket.setNoDelay(true);
    try {
      const request = await toFetchRequest(req, origin, clientGone.signal);
      httpVersions.set(request, req.httpVersion);
      const response = await getResponse([mock.recordingHandler, ...overrides, ...mock.routeHandlers], request);
      await writeResponse(response ?? problemResponse(404, 'No route matches this path'), req, res);
    } catch (error) {
      if (res.headersSent) res.destroy();
      else if (!res.destroyed) res.writeHead(500, { 'content-type': 'application/json' }).end(
        JSON.stringify({ status: 500, title: 'Internal Server Error', detail: `mock-nim: ${String(error)}` }),
      );
    }
  };

  const server = createServer((req, res) => void handle(req, res));
  server.listen(port, host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const address = server.address() as AddressInfo;
  const hostInUrl = host.includes(':') ? `[${host}]` : host;
  origin = `http://${hostInUrl}:${address.port}`;

  return {
    url: `${origin}${mock.settings.basePath}`,
    origin,
    port: address.port,
    host,
    requests: mock.requests,
    mock,
    setScenario: (scenario) => mock.setScenario(scenario),
    enqueue: (scenario, enqueueOptions) => mock.enqueue(scenario, enqueueOptions),
    failNext: (fault, times) => mock.failNext(fault, times),
    use(...handlers) {
      overrides = [...handlers, ...overrides];
    },
    reset() {
      overrides = [];
      mock.reset();
    },
    async close() {
      mock.dispose();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
