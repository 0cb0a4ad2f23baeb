import { redactSecrets, type Connector } from '@proxy/core';
import type { FastifyBaseLogger } from 'fastify';
import type { CatalogTimers } from './catalog-timers.js';

/** How long one read of a catalog may take before it counts as failed. */
export const CATALOG_TIMEOUT_MS = 10_000;
/** Backoff after a failed read: 1 s, 2 s, 4 s… up to a minute, so a backend that comes up is listed soon after. */
const RETRY_BASE_MS = 1_000;
const RETRY_MAX_MS = 60_000;

export interface CatalogRefresherOptions {
  name: string;
  connector: Connector;
  /** Between successful reads; 0 reads once. */
  refreshMs: number;
  timers: CatalogTimers;
  secrets: readonly (string | undefined)[];
}

/**
 * One backend's model catalog, kept by the server rather than read off the connector: a read that fails keeps the
 * last good list (the connector empties its own), and is retried with backoff in the background, so a backend that
 * was down at start is listed once it answers, without a restart; after a success the list is read again every
 * `refreshMs`. Reads never overlap, and close() stops the schedule and abandons a read in flight.
 */
export class CatalogRefresher {
  readonly #options: CatalogRefresherOptions;
  #models: readonly string[] = [];
  #loadedAt = 0;
  #failures = 0;
  #timer: unknown;
  #inFlight: AbortController | undefined;
  #closed = false;
  #log: FastifyBaseLogger | undefined;

  constructor(options: CatalogRefresherOptions) {
    this.#options = options;
  }

  /** The last catalog read successfully (empty until one was). */
  get models(): readonly string[] {
    return this.#models;
  }

  /** Unix seconds of the last successful read; 0 before one. */
  get loadedAt(): number {
    return this.#loadedAt;
  }

  /** Whether the last read failed (a retry is scheduled). */
  get failing(): boolean {
    return this.#failures > 0;
  }

  /** The first read; resolves when it is done, however it went, and schedules the next. */
  async start(log: FastifyBaseLogger): Promise<void> {
    this.#log = log;
    await this.#read();
  }

  close(): void {
    this.#closed = true;
    if (this.#timer !== undefined) this.#options.timers.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#inFlight?.abort();
  }

  async #read(): Promise<void> {
    this.#timer = undefined;
    if (this.#closed) return;
    const { name, connector, timers } = this.#options;
    const controller = new AbortController();
    this.#inFlight = controller;
    const timeout = AbortSignal.timeout(CATALOG_TIMEOUT_MS);
    const signal = AbortSignal.any([controller.signal, timeout]);
    try {
      await connector.initialize({ signal });
      if (this.#closed) return;
      const models = connector.getAvailableModels();
      const changed = models.length !== this.#models.length || models.some((model, i) => model !== this.#models[i]);
      this.#models = [...models];
      this.#loadedAt = Math.floor(timers.now() / 1000);
      const fields = { backend: name, type: connector.type, models: models.length };
      if (this.#failures > 0 || changed) this.#log?.info(this.#failures > 0 ? { ...fields, failed_reads: this.#failures } : fields, 'backend ready');
      else this.#log?.debug(fields, 'backend catalog refreshed');
      this.#failures = 0;
      if (this.#options.refreshMs > 0) this.#schedule(this.#options.refreshMs);
    } catch (error) {
      if (this.#closed) return;
      this.#failures++;
      const delayMs = Math.min(RETRY_BASE_MS * 2 ** (this.#failures - 1), RETRY_MAX_MS);
      const reason = timeout.aborted
        ? `no answer within ${CATALOG_TIMEOUT_MS / 1000} s`
        : redactSecrets(error instanceof Error ? error.message : String(error), this.#options.secrets);
      const fields = { backend: name, type: connector.type, reason, retry_in_s: delayMs / 1000, kept_models: this.#models.length };
      // The first failure of a run is worth a warning; the retries that follow are not news until one succeeds.
      if (this.#failures === 1) this.#log?.warn(fields, 'could not load the backend model catalog; serving without it and retrying');
      else this.#log?.debug(fields, 'backend model catalog still unavailable');
      this.#schedule(delayMs);
    } finally {
      if (this.#inFlight === controller) this.#inFlight = undefined;
    }
  }

  #schedule(ms: number): void {
    if (this.#closed) return;
    this.#timer = this.#options.timers.setTimeout(() => this.#read(), ms);
  }
}
