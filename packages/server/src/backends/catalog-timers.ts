/**
 * The clock a catalog refresher runs on. Injected so tests fire refreshes themselves, in order, instead of
 * sleeping; the default's timers are unref'd, so a pending refresh never keeps the process alive.
 */
export interface CatalogTimers {
  /** Runs `callback` once after `ms`; returns a handle for clearTimeout. */
  setTimeout(callback: () => Promise<void>, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /** Milliseconds since the epoch (a catalog's `created`). */
  now(): number;
}

export const systemCatalogTimers: CatalogTimers = {
  setTimeout: (callback, ms) => setTimeout(() => void callback(), ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  now: () => Date.now(),
};
