import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cancelUnreadClones } from './cancel-unread-clones.js';

// An msw setup of one's own (createNimHandlers) needs the same care as createNimServer's.
const server = setupServer(http.get('http://plain.test/stream', () => new HttpResponse('data: 1\n\ndata: 2\n\n')));
beforeAll(() => {
  server.listen({ onUnhandledRequest: 'error' });
  cancelUnreadClones(server);
});
afterAll(() => server.close());

describe('cancelUnreadClones', () => {
  it('lets a client cancel a mocked body it stops reading', async () => {
    const response = await fetch('http://plain.test/stream');
    await expect(response.body!.cancel()).resolves.toBeUndefined();
  });

  it('leaves the copy to a response:mocked listener that reads it', async () => {
    const seen: Promise<string>[] = [];
    const listener = ({ response }: { response: Response }): void => void seen.push(response.text());
    server.events.on('response:mocked', listener);
    try {
      expect(await (await fetch('http://plain.test/stream')).text()).toBe('data: 1\n\ndata: 2\n\n');
      await expect.poll(() => seen.length).toBe(1);
      expect(await seen[0]).toBe('data: 1\n\ndata: 2\n\n');
    } finally {
      server.events.removeListener('response:mocked', listener);
    }
  });
});
