export type { CreateKeyLimiter, KeyLease, KeyLimiter, KeyLimiterRequest, RateLimit } from './key-limiter.js';
export { parseRetryAfter } from './parse-retry-after.js';
export { UnpacedKeyLimiter } from './unpaced-key-limiter.js';
export { KeyRefusals, MODEL_REFUSAL_MS, type RefusalVerdict } from './key-refusals.js';
