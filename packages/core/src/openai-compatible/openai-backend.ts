import type { BackendDefinition } from '../connector.js';
import { ProxyError } from '../errors/proxy-error.js';
import { OpenAICompatibleConnector } from './openai-compatible-connector.js';

/** Backend type `openai`: any OpenAI-compatible URL and key, with nothing provider-specific. */
export const openaiBackend: BackendDefinition = {
  type: 'openai',
  create(config, context) {
    if (!config.api_url) {
      throw new ProxyError({
        status: 500,
        code: 'invalid_backend_config',
        message: `backends.${config.name}.api_url is required for a backend of type 'openai'`,
      });
    }
    const timeoutMs = config.timeout === undefined ? undefined : config.timeout * 1000;
    return new OpenAICompatibleConnector({
      name: config.name,
      type: 'openai',
      baseURL: config.api_url,
      apiKey: config.api_key?.trim() || undefined,
      models: config.models,
      dispatcher: context.dispatcher,
      headersTimeoutMs: timeoutMs,
      bodyTimeoutMs: timeoutMs,
    });
  },
};
