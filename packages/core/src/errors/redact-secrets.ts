/** Replaces every occurrence of each secret (keys of at least 4 characters) so no text we emit can leak one. */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let result = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4 && result.includes(secret)) result = result.split(secret).join('[redacted]');
  }
  return result;
}
