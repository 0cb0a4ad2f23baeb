/**
 * `https://host/v1` + `chat/completions` → `https://host/v1/chat/completions`, whatever slashes either side has.
 * (`new URL(path, base)` would drop `/v1` when the base lacks a trailing slash.)
 */
export function joinUrl(baseURL: string, path: string): string {
  return `${baseURL.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}
