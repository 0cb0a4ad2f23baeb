export { StreamUsageTracker } from './stream-usage-tracker.js';
export { extractUsage, type TokenUsage } from './token-usage.js';
