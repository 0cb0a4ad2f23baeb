import type { ProxyError } from '@proxy/core';
import type { RenderedError } from '../../exchange/front-end.js';

/** OpenAI's error shape, `{"error":{"message","type","param","code"}}`, with the error's own status. */
export function renderOpenAIError(error: ProxyError): RenderedError {
  return { status: error.status, body: error.toBody() };
}
