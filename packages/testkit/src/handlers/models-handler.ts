import { http, type HttpHandler } from 'msw';
import { checkAuth } from './auth.js';
import { wholeResponseFault } from './faults.js';
import { jsonBodyResponse } from './json-body-response.js';
import type { MockContext } from './mock-context.js';
import { modelListBody } from './model-catalog.js';
import { sleep } from './sleep.js';

/** `GET {base}/models`: the catalog as an OpenAI list; keyless unless `modelsRequireAuth`. */
export function modelsHandler(context: MockContext, urlPrefix: string): HttpHandler {
  return http.get(`${urlPrefix}/models`, async ({ request }) => {
    const { settings, control } = context;
    const signal = context.signalFor(request);
    const scenario = control.resolve('models');
    if (!(await sleep(scenario.timing?.firstByteDelayMs ?? 0, signal))) return Response.error();
    const faulted = await wholeResponseFault(scenario.fault, signal);
    if (faulted) return faulted;
    if (settings.modelsRequireAuth) {
      const rejected = checkAuth(request, { apiKey: settings.apiKey, failureStatus: settings.authFailureStatus });
      if (rejected) return rejected;
    }
    return jsonBodyResponse(JSON.stringify(modelListBody(settings.models)), {
      timing: scenario.timing,
      fault: scenario.fault,
      signal,
    });
  });
}
