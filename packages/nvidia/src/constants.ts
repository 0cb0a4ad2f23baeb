/** The hosted NVIDIA API integrator. A self-hosted NIM is reached by setting `api_url` instead. */
export const NVIDIA_DEFAULT_BASE_URL = 'https://integrate.api.nvidia.com/v1';

/** The environment variable read for the key when initialisation supplies none. */
export const NVIDIA_API_KEY_ENV = 'NVIDIA_API_KEY';

/** The environment variable read for a key pool (`a,b`) when initialisation supplies no key. */
export const NVIDIA_API_KEYS_ENV = 'NVIDIA_API_KEYS';

/** The hosted free tier's rate per key (about 40 a minute; no NVIDIA page states it): the default pace there. */
export const NVIDIA_HOSTED_REQUESTS_PER_MINUTE = 40;
