import { maskAuthorization } from './auth.js';

export interface RecordedRequest {
  /** 1, 2, 3… in arrival order (restarts after `reset()`). */
  seq: number;
  /** `Date.now()` at arrival. */
  time: number;
  method: string;
  url: string;
  /** Path and query, e.g. `/v1/chat/completions`. */
  path: string;
  /** Lower-case names; `authorization` masked as `Bearer nvap…***`. */
  headers: Record<string, string>;
  rawBody: string;
  /** The body parsed as JSON, or `undefined` when it is empty or not JSON. */
  body: unknown;
  /** `'1.1'`, `'2.0'`… as the listening server saw it; `undefined` for in-process (setupServer) requests. */
  httpVersion: string | undefined;
}

/** Every request the mock saw, in order. */
export class RequestRecorder {
  #entries: RecordedRequest[] = [];

  get all(): readonly RecordedRequest[] {
    return this.#entries;
  }

  get count(): number {
    return this.#entries.length;
  }

  get last(): RecordedRequest | undefined {
    return this.#entries[this.#entries.length - 1];
  }

  /** The requests whose path ends with `suffix`, e.g. `'/chat/completions'`. */
  to(suffix: string): RecordedRequest[] {
    return this.#entries.filter((entry) => entry.path.split('?')[0]?.endsWith(suffix));
  }

  clear(): void {
    this.#entries = [];
  }

  /** Reads a clone of `request` and records it. */
  async record(request: Request, httpVersion: string | undefined): Promise<RecordedRequest> {
    const rawBody = request.body === null ? '' : await request.clone().text();
    let body: unknown;
    try {
      body = rawBody === '' ? undefined : JSON.parse(rawBody);
    } catch {
      body = undefined;
    }
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      headers[name] = name === 'authorization' ? maskAuthorization(value) : value;
    });
    const url = new URL(request.url);
    const entry: RecordedRequest = {
      seq: this.#entries.length + 1,
      time: Date.now(),
      method: request.method,
      url: request.url,
      path: url.pathname + url.search,
      headers,
      rawBody,
      body,
      httpVersion,
    };
    this.#entries.push(entry);
    return entry;
  }
}
