import { DONE_DATA } from './sse-event.js';

/** `data: …\n\n`; multi-line data becomes one `data:` line per line, as the SSE format requires. */
export function formatSseData(data: string): string {
  if (!data.includes('\n') && !data.includes('\r')) return `data: ${data}\n\n`;
  return `${data
    .split(/\r\n|\r|\n/)
    .map((line) => `data: ${line}`)
    .join('\n')}\n\n`;
}

/** An SSE comment line: ignored by every conforming client, but it keeps the connection visibly alive. */
export function formatSseComment(text: string): string {
  return `: ${text.replace(/[\r\n]+/g, ' ')}\n\n`;
}

export const SSE_DONE = formatSseData(DONE_DATA);
