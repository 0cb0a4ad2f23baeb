/**
 * `url` without its user name and password: a backend's `api_url` may carry them (`http://user:pw@nim.internal/v1`,
 * basic auth in front of a self-hosted NIM), and the URL of a failed call goes to the log line.
 */
export function urlWithoutCredentials(url: string): string {
  if (!url.includes('@')) return url;
  try {
    const parsed = new URL(url);
    if (parsed.username === '' && parsed.password === '') return url;
    parsed.username = '';
    parsed.password = '';
    return parsed.href;
  } catch {
    // Not a URL a call could have been made to; what follows the last '@' is at least no credential.
    return url.slice(url.lastIndexOf('@') + 1);
  }
}
