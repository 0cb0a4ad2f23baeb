import { DONE_DATA } from './sse-event.js';

/** `data: …\n\n`; multi-line data becomes one `data:` line per line, as the SSE format requires. */
export function formatSseData(data: string): string {
  if (!data.includes('\n') && !data.includes('\r')) return `data: ${data}\n\n`;
  return `${data
    .split(/\r\n|\r|\n/)
    .map((line) => `data: ${line}`)
    .join('\n')}\n\n`;
}

/**
 * The value of one `data:` line (without its line end): a single space after the colon is not part of it, as the
 * SSE format says. The inverse of formatSseData, line by line, for text known to hold only `data:` lines.
 */
export function sseDataLineValue(line: string): string {
  return line.charCodeAt(5) === 0x20 ? line.slice(6) : line.slice(5);
}

/** An SSE comment line: ignored by every conforming client, but it keeps the connection visibly alive. */
export function formatSseComment(text: string): string {
  return `: ${text.replace(/[\r\n]+/g, ' ')}\n\n`;
}

export const SSE_DONE = formatSseData(DONE_DATA);
