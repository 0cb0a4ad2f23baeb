/** A configuration the proxy cannot start with. The message is meant for the operator, as it is. */
export class ConfigError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConfigError';
  }
}
