/** The hosted NVIDIA API integrator. A self-hosted NIM is reached by setting `api_url` instead. */
export const NVIDIA_DEFAULT_BASE_URL = 'https://integrate.api.nvidia.com/v1';

/** The environment variable read for the key when initialisation supplies none. */
export const NVIDIA_API_KEY_ENV = 'NVIDIA_API_KEY';
