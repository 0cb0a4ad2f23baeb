export { NVIDIA_API_KEY_ENV, NVIDIA_API_KEYS_ENV, NVIDIA_DEFAULT_BASE_URL, NVIDIA_DEFAULT_MAX_TOKENS, NVIDIA_HOSTED_REQUESTS_PER_MINUTE } from './constants.js';
export { explainNimError, type NimErrorInput } from './explain-nim-error.js';
export { NIM_MIN_SILENCE_TIMEOUT_MS, resolveNimTimeouts, type NimTimeouts, type NimTimeoutSettings } from './nim-timeouts.js';
export { nvidiaBackend, nvidiaSettingsSchema, type NvidiaSettings } from './nvidia-backend.js';
export { createNvidiaConnector, NvidiaConnector, resolveNvidiaKeys, type NvidiaConnectorSettings } from './nvidia-connector.js';
export { normalizeApiKey, resolveApiKey, resolveApiKeys } from './resolve-api-key.js';
export { readRejectedFields } from './read-rejected-fields.js';
export { NIM_UNSUPPORTED_FIELDS, toNimRequestBody, type NimBodyOptions } from './to-nim-request-body.js';
export { NVIDIA_VERSION } from './version.js';
