import type { Redis } from 'ioredis';

/**
 * The one Redis client that every backend's pacing shares, as the backends' stores see it: its status, and its
 * `ready` event heard by one listener and passed on to each store. A listener of each store's own on the client
 * made Node print a MaxListenersExceededWarning (an EventEmitter allows ten) once ten backends were paced through
 * Redis.
 */
export class RedisConnection {
  readonly #client: Pick<Redis, 'status' | 'on' | 'off'>;
  readonly #onReady: (() => void)[] = [];
  readonly #ready = (): void => {
    for (const listener of this.#onReady) listener();
  };

  constructor(client: Pick<Redis, 'status' | 'on' | 'off'>) {
    this.#client = client;
    client.on('ready', this.#ready);
  }

  /** The client's status: `ready` while it is connected and answers. */
  get status(): Redis['status'] {
    return this.#client.status;
  }

  /** Calls `listener` each time the client's connection is ready, the first time and after each reconnect. */
  onReady(listener: () => void): void {
    this.#onReady.push(listener);
  }

  /** Stops listening to the client, and lets go of the listeners. */
  close(): void {
    this.#client.off('ready', this.#ready);
    this.#onReady.length = 0;
  }
}
