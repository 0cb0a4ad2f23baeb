import { mergeScenarios, type Fault, type Scenario } from './scenario.js';

export type MockRoute = 'chat' | 'models' | 'embeddings';

export interface EnqueueOptions {
  /** How many requests get this scenario (default 1). */
  times?: number;
  /** Which requests consume it (default `'chat'`). */
  route?: MockRoute | 'any';
}

interface Queued {
  scenario: Scenario;
  remaining: number;
  route: MockRoute | 'any';
}

/** Which scenario applies to a request: defaults < `setScenario` < queued ("next N requests") < body directive. */
export class ScenarioControl {
  readonly #defaults: Scenario | undefined;
  #override: Scenario | undefined;
  #queue: Queued[] = [];

  constructor(defaults: Scenario | undefined) {
    this.#defaults = defaults;
  }

  /** Replaces the per-test scenario (merged over the defaults); `undefined` removes it. */
  setScenario(scenario: Scenario | undefined): void {
    this.#override = scenario;
  }

  enqueue(scenario: Scenario, options: EnqueueOptions = {}): void {
    const times = options.times ?? 1;
    if (times > 0) this.#queue.push({ scenario, remaining: times, route: options.route ?? 'chat' });
  }

  failNext(fault: Fault, times = 1): void {
    this.enqueue({ fault }, { times });
  }

  /** The scenario for one request on `route`, consuming one use of the first matching queued scenario. */
  resolve(route: MockRoute, directive?: Scenario): Scenario {
    const queued = this.#queue.find((entry) => entry.route === 'any' || entry.route === route);
    if (queued) {
      queued.remaining -= 1;
      if (queued.remaining === 0) this.#queue.splice(this.#queue.indexOf(queued), 1);
    }
    return mergeScenarios(this.#defaults, this.#override, queued?.scenario, directive);
  }

  reset(): void {
    this.#override = undefined;
    this.#queue = [];
  }
}
