import { Agent, request } from 'undici';
import { DEFAULT_API_KEY } from '../handlers/auth.js';

export interface PostOptions {
  /** Bearer key; `null` sends none (default: the mock's default key). */
  key?: string | null;
  signal?: AbortSignal;
  /** Send `body` as is instead of JSON-encoding it. */
  raw?: boolean;
}

/** undici `request` on its own pool: keep-alive short so no socket outlives a test. */
export class TestClient {
  readonly #dispatcher = new Agent({ keepAliveTimeout: 10, allowH2: false });

  post(url: string, body: unknown, options: PostOptions = {}): ReturnType<typeof request> {
    const key = options.key === undefined ? DEFAULT_API_KEY : options.key;
    return request(url, {
      method: 'POST',
      dispatcher: this.#dispatcher,
      signal: options.signal,
      headers: { 'content-type': 'application/json', ...(key === null ? {} : { authorization: `Bearer ${key}` }) },
      body: options.raw ? String(body) : JSON.stringify(body),
    });
  }

  get(url: string, key?: string): ReturnType<typeof request> {
    return request(url, {
      dispatcher: this.#dispatcher,
      headers: key === undefined ? {} : { authorization: `Bearer ${key}` },
    });
  }

  close(): Promise<void> {
    return this.#dispatcher.close();
  }
}
