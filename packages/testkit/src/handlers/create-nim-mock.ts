import { http, type RequestHandler } from 'msw';
import { chatHandler } from './chat-handler.js';
import { embeddingsHandler } from './embeddings-handler.js';
import type { MockContext } from './mock-context.js';
import { modelsHandler } from './models-handler.js';
import { jsonResponse, problemDetails } from './problem-details.js';
import { RequestRecorder } from './recorder.js';
import type { Fault, Scenario } from './scenario.js';
import { ScenarioControl, type EnqueueOptions } from './scenario-control.js';
import { resolveSettings, type NimMockOptions, type NimMockSettings } from './settings.js';

/** The mock's state and its msw handlers; the adapters serve `handlers` and expose the controls. */
export interface NimMock {
  /** `recordingHandler` then `routeHandlers`: what to give msw. */
  readonly handlers: RequestHandler[];
  /** Records every request to the origin and answers nothing; per-test overrides go after it. */
  readonly recordingHandler: RequestHandler;
  /** `/models`, `/chat/completions`, and a 404 for other paths under the base path. */
  readonly routeHandlers: RequestHandler[];
  readonly requests: RequestRecorder;
  readonly settings: NimMockSettings;
  /** Replaces the per-test scenario, merged over `options.scenario`; `undefined` removes it. */
  setScenario(scenario: Scenario | undefined): void;
  /** The next `times` requests (default 1, chat completions unless `route` says otherwise) get `scenario`. */
  enqueue(scenario: Scenario, options?: EnqueueOptions): void;
  /** Shorthand for `enqueue({ fault }, { times })`. */
  failNext(fault: Fault, times?: number): void;
  /** Clears the recorder, the per-test scenario and the queue, ends requests in flight, restarts ids at 1. */
  reset(): void;
  /** Ends requests in flight for good (hangs, delays, streams). */
  dispose(): void;
}

export function createNimMock(options: NimMockOptions = {}): NimMock {
  const settings = resolveSettings(options);
  const control = new ScenarioControl(settings.scenario);
  const requests = new RequestRecorder();
  let sequence = 0;
  let calls = 0;
  let generation = new AbortController();
  const disposed = new AbortController();

  const context: MockContext = {
    settings,
    control,
    nextSequence: () => (sequence += 1),
    nextCall: () => (calls += 1),
    signalFor: (request) => AbortSignal.any([request.signal, generation.signal, disposed.signal]),
  };

  const origin = settings.origin === '*' ? '*' : settings.origin;
  const apiPrefix = `${origin}${settings.basePath}`;
  const recordHandler = http.all(`${origin}/*`, async ({ request }) => {
    await requests.record(request, settings.httpVersionOf?.(request));
  });
  const notFoundHandler = http.all(`${apiPrefix}/*`, () =>
    jsonResponse(problemDetails(404, 'No route matches this path'), 404),
  );

  const routeHandlers = [modelsHandler(context, apiPrefix), chatHandler(context, apiPrefix), embeddingsHandler(context, apiPrefix), notFoundHandler];
  return {
    handlers: [recordHandler, ...routeHandlers],
    recordingHandler: recordHandler,
    routeHandlers,
    requests,
    settings,
    setScenario: (scenario) => control.setScenario(scenario),
    enqueue: (scenario, enqueueOptions) => control.enqueue(scenario, enqueueOptions),
    failNext: (fault, times) => control.failNext(fault, times),
    reset() {
      requests.clear();
      control.reset();
      sequence = 0;
      calls = 0;
      generation.abort(new Error('mock-nim: reset'));
      generation = new AbortController();
    },
    dispose() {
      disposed.abort(new Error('mock-nim: disposed'));
    },
  };
}

/** Just the msw handlers of a fresh mock, for your own `setupServer`/`setupWorker`. */
export function createNimHandlers(options: NimMockOptions = {}): RequestHandler[] {
  return createNimMock(options).handlers;
}
