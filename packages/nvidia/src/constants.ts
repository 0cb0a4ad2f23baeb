/** The hosted NVIDIA API integrator. A self-hosted NIM is reached by setting `api_url` instead. */
export const NVIDIA_DEFAULT_BASE_URL = 'https://integrate.api.nvidia.com/v1';

/** The environment variable read for the key when initialisation supplies none. */
export const NVIDIA_API_KEY_ENV = 'NVIDIA_API_KEY';

/** The environment variable read for a key pool (`a,b`) when initialisation supplies no key. */
export const NVIDIA_API_KEYS_ENV = 'NVIDIA_API_KEYS';

/** The hosted free tier's rate per key (about 40 a minute; no NVIDIA page states it): the default pace there. */
export const NVIDIA_HOSTED_REQUESTS_PER_MINUTE = 40;

/**
 * `max_tokens` for a request that names no limit: NIM's own default is low for some models, so a reasoning model
 * spends it all thinking and is cut off (agent projects that call NIM settled on this figure too). A model whose
 * schema takes less, or a prompt that leaves less room, is retried with what NIM says it takes.
 */
export const NVIDIA_DEFAULT_MAX_TOKENS = 16_384;
