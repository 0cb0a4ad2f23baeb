import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One request the upstream received, recorded once its body was read. */
export interface UpstreamRequest {
  method: string;
  /** Path and query as sent, e.g. `/v1/chat/completions`. */
  url: string;
  /** `'1.1'` for undici's default dispatcher. */
  httpVersion: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** 1 for the first TCP connection, 2 for the next…: requests with the same id came on the same socket. */
  socketId: number;
  /** Resolves when the response closed: it finished, or the client went away. */
  closed: Promise<void>;
  /** True when the connection closed before the response finished: the client cancelled the call. */
  cancelled(): boolean;
}

/** How a request is answered; `response` is the plain `node:http` response (its `socket` for socket faults). */
export type RecordingHandler = (request: UpstreamRequest, response: ServerResponse) => void | Promise<void>;

export interface RecordingUpstreamOptions {
  /** Which requests are recorded (all by default); e.g. leave out catalog fetches. All are answered. */
  record?: (request: UpstreamRequest) => boolean;
}

export interface RecordingUpstream {
  /** The OpenAI-style base URL, `http://127.0.0.1:<port>/v1`. */
  readonly url: string;
  /** The recorded requests, in arrival order. */
  readonly requests: UpstreamRequest[];
  /** TCP connections accepted so far: fewer than requests means sockets were reused. */
  readonly connections: number;
  /** Resolves with the recorded request at `index` (0: the first) once it has arrived: wait on this, never on time. */
  waitForRequest(index?: number): Promise<UpstreamRequest>;
  /** Replaces how requests are answered. */
  handle(handler: RecordingHandler): void;
  /** Forgets the recorded requests (the handler stays). */
  clear(): void;
  /** Closes the server and every open connection, so a test ends promptly. */
  close(): Promise<void>;
}

/**
 * A real `node:http` upstream on 127.0.0.1, port 0, that records every request: the one test upstream of the
 * repository's connector and server tests. A real socket, not an interceptor: msw's `setupServer` does not see
 * undici, and socket reuse, cancellation and back-pressure only exist on sockets. For a faithful NIM, use
 * `startMockNim()` from `@proxy/testkit/node`; this is for tests that script each answer themselves.
 */
export async function startRecordingUpstream(handler: RecordingHandler, options: RecordingUpstreamOptions = {}): Promise<RecordingUpstream> {
  let answer = handler;
  const requests: UpstreamRequest[] = [];
  const waiting: { index: number; resolve: (request: UpstreamRequest) => void }[] = [];
  const socketIds = new Map<Socket, number>();
  const server = createServer(async (req, res) => {
    let finished = false;
    res.once('finish', () => (finished = true));
    const closed = once(res, 'close').then(() => undefined);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const recorded: UpstreamRequest = {
      method: req.method ?? '',
      url: req.url ?? '',
      httpVersion: req.httpVersion,
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
      socketId: socketIds.get(req.socket) ?? 0,
      closed,
      cancelled: () => !finished,
    };
    if (options.record?.(recorded) ?? true) {
      requests.push(recorded);
      for (const waiter of waiting.filter((entry) => entry.index === requests.length - 1)) {
        waiting.splice(waiting.indexOf(waiter), 1);
        waiter.resolve(recorded);
      }
    }
    try {
      await answer(recorded, res);
    } catch {
      // A handler that throws resets the connection: the client under test sees a transport failure.
      res.destroy();
    }
  });
  server.on('connection', (socket: Socket) => socketIds.set(socket, socketIds.size + 1));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    get connections() {
      return socketIds.size;
    },
    waitForRequest(index = 0) {
      const request = requests[index];
      if (request) return Promise.resolve(request);
      return new Promise((resolve) => waiting.push({ index, resolve }));
    },
    handle(next) {
      answer = next;
    },
    clear() {
      requests.length = 0;
    },
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
