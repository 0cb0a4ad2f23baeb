import type { ScenarioControl } from './scenario-control.js';
import type { NimMockSettings } from './settings.js';

/** What the route handlers share. */
export interface MockContext {
  readonly settings: NimMockSettings;
  readonly control: ScenarioControl;
  /** 1, 2, 3… per completion, for deterministic ids. */
  nextSequence(): number;
  /** 1, 2, 3… per answer NIM itself gives (errors included), for deterministic `nvcf-reqid`s. */
  nextCall(): number;
  /** Aborts when the client goes away or the mock is reset/disposed: ends hangs, delays and streams. */
  signalFor(request: Request): AbortSignal;
}
