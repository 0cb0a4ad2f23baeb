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
    const timeoutMs = seconds(config.timeout);
    return new OpenAICompatibleConnector({
      name: config.name,
      type: 'openai',
      baseURL: config.api_url,
      apiKey: config.api_key?.trim() || undefined,
      models: config.models,
      dispatcher: context.dispatcher,
      headersTimeoutMs: timeoutMs,
      bodyTimeoutMs: timeoutMs,
      connectTimeoutMs: seconds(config.connect_timeout),
    });
  },
};

function seconds(value: unknown): number | undefined {
  return typeof value === 'number' ? value * 1000 : undefined;
}
