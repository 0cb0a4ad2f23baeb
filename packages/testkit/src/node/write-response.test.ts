import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { writeResponse } from './write-response.js';

let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

/** Serves one fetch Response through writeResponse; `seen` gets the server side's ServerResponse. */
async function serve(body: () => Response, seen: (res: ServerResponse) => void): Promise<number> {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    seen(res);
    void writeResponse(body(), req, res);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

describe('writeResponse', () => {
  it('waits out back-pressure without leaving a listener behind per wait', async () => {
    const chunk = new Uint8Array(256 * 1024).fill(0x61);
    const chunks = 64; // 16 MiB: far more than the socket takes at once, so most writes wait for 'drain'
    let served: ServerResponse | undefined;
    let mostCloseListeners = 0;
    let pulled = 0;
    const port = await serve(
      () =>
        new Response(
          new ReadableStream<Uint8Array>({
            pull(controller) {
              // Read on each pull: the listeners waiting on the response are counted as the body goes out.
              if (served) mostCloseListeners = Math.max(mostCloseListeners, served.listenerCount('close'), served.listenerCount('error'));
              if (pulled++ < chunks) controller.enqueue(chunk);
              else controller.close();
            },
          }),
        ),
      (res) => (served = res),
    );
    const received = await new Promise<number>((resolve, reject) => {
      const req = request({ port, host: '127.0.0.1', method: 'GET', path: '/' }, (response) => {
        let bytes = 0;
        // A slow reader: pauses after every chunk it gets, so the server meets back-pressure again and again.
        response.on('data', (data: Buffer) => {
          bytes += data.length;
          response.pause();
          setImmediate(() => response.resume());
        });
        response.on('end', () => resolve(bytes));
        response.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
    expect(received).toBe(chunk.length * chunks);
    // Before the fix every wait left a 'close' and an 'error' listener behind: dozens by the end of the body.
    expect(mostCloseListeners).toBeLessThanOrEqual(4);
  });
});
