import { DEFAULT_API_KEY } from './auth.js';
import { DEFAULT_MODELS, DEFAULT_RETIRED_MODELS, type MockModel } from './model-catalog.js';
import type { ValidationErrorStyle } from './request-schema.js';
import type { Scenario } from './scenario.js';

export interface NimMockOptions {
  /** Path prefix of the API (default `'/v1'`). */
  basePath?: string;
  /**
   * Origin the handlers answer for, e.g. `'http://nim.test'`; `'*'` (default) answers for any origin. The msw
   * adapter defaults it to hosted NIM's origin.
   */
  origin?: string;
  /** Accepted `Authorization: Bearer` key(s) (default {@link DEFAULT_API_KEY}); `false` turns auth off. */
  apiKey?: string | readonly string[] | false;
  /** Answer a bad key with 401 + `WWW-Authenticate` (default) or NIM's 403 "Authorization failed". */
  authFailureStatus?: 401 | 403;
  /** `GET /models` needs the key too (default `false`, as on hosted NIM). */
  modelsRequireAuth?: boolean;
  /** The catalog (default {@link DEFAULT_MODELS}); other models answer 404. */
  models?: readonly MockModel[];
  /** Models that answer 410 Gone (default {@link DEFAULT_RETIRED_MODELS}). */
  retiredModels?: readonly string[];
  /** Top-level fields rejected on top of `max_completion_tokens` and `stream_options`. */
  rejectFields?: readonly string[];
  /**
   * Fields of a tool's `function` (`tools[i].function.<field>`, e.g. `strict`) refused at their nested location,
   * pydantic's `extra_forbidden` at `('body', 'tools', i, 'function', field)` in a 422, as NIM does for fields some
   * agents send. None by default.
   */
  rejectToolFields?: readonly string[];
  /** Top-level fields accepted on top of NIM's known ones. */
  allowFields?: readonly string[];
  /** How a rejected field is reported (default `'problem-422'`). */
  validationErrorStyle?: ValidationErrorStyle;
  /** The account id quoted in 404 details. */
  accountId?: string;
  /** The scenario every request starts from (timing, stream shape, faults…). */
  scenario?: Scenario;
  /** Milliseconds since the epoch; `created` fields are derived from it (default `Date.now`). */
  clock?: () => number;
  /**
   * For adapters: the HTTP version a request arrived with, recorded with it. The listening adapter supplies it.
   */
  httpVersionOf?: (request: Request) => string | undefined;
}

export type NimMockSettings = Required<Omit<NimMockOptions, 'scenario' | 'httpVersionOf'>> &
  Pick<NimMockOptions, 'scenario' | 'httpVersionOf'>;

export function resolveSettings(options: NimMockOptions): NimMockSettings {
  return {
    basePath: `/${(options.basePath ?? '/v1').replace(/^\/+|\/+$/g, '')}`.replace(/^\/$/, ''),
    origin: (options.origin ?? '*').replace(/\/+$/, ''),
    apiKey: options.apiKey ?? DEFAULT_API_KEY,
    authFailureStatus: options.authFailureStatus ?? 401,
    modelsRequireAuth: options.modelsRequireAuth ?? false,
    models: options.models ?? DEFAULT_MODELS,
    retiredModels: options.retiredModels ?? DEFAULT_RETIRED_MODELS,
    rejectFields: options.rejectFields ?? [],
    rejectToolFields: options.rejectToolFields ?? [],
    allowFields: options.allowFields ?? [],
    validationErrorStyle: options.validationErrorStyle ?? 'problem-422',
    accountId: options.accountId ?? 'mock-nim-account',
    clock: options.clock ?? Date.now,
    scenario: options.scenario,
    httpVersionOf: options.httpVersionOf,
  };
}
