import type { SetupServer } from 'msw/node';

/**
 * msw 2.15 (@mswjs/interceptors 0.41) gives its `response:mocked` listeners a clone of every mocked response, a
 * tee of the body that nobody reads; a tee's cancel only settles once both branches are cancelled, so a client
 * that stopped reading a mocked body waited on `cancel()` for ever: the `openai` SDK before each retry, on `break`
 * out of a stream, on a stream's error event (mswjs/interceptors#712, #799, fixed in 0.42.5, which msw 2 does not
 * take). The clone is cancelled once the listeners had their turn, unless one of them is reading it.
 */
export function cancelUnreadClones(server: SetupServer): () => void {
  const onMocked = ({ response }: { response: Response }): void => {
    setImmediate(() => {
      if (response.body && !response.body.locked) void response.body.cancel().catch(() => undefined);
    });
  };
  server.events.on('response:mocked', onMocked);
  return () => server.events.removeListener('response:mocked', onMocked);
}
