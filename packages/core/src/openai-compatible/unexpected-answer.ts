import type { IncomingHttpHeaders } from 'node:http';

/** What an upstream call expects its successful answer to be. */
export type ExpectedBody = 'json' | 'event-stream';

/**
 * Why an answer that is not an error still cannot be used, or undefined when it can. An upstream that redirects
 * (the proxy follows no redirects), compresses a body the proxy did not ask to be compressed, or answers with a
 * body of another kind (an HTML login page, JSON to a streaming request) is a failure to report before the
 * client is told anything, not a success to relay. An answer without a content type is given the benefit of the
 * doubt: what it holds is checked as it is read.
 */
export function unexpectedAnswer(status: number, headers: IncomingHttpHeaders, expected: ExpectedBody): string | undefined {
  if (status >= 300) return `answered ${status}${headers.location === undefined ? '' : ' (a redirect)'}, which the proxy does not follow`;
  const encoding = headers['content-encoding'];
  if (encoding !== undefined && encoding !== 'identity') return `sent a ${encoding}-compressed body the proxy did not ask for`;
  const type = headers['content-type'];
  if (type === undefined) return undefined;
  const kind = type.split(';', 1)[0]!.trim().toLowerCase();
  if (expected === 'event-stream') return kind === 'text/event-stream' ? undefined : `answered a streaming request with ${kind}, not an event stream`;
  return kind.includes('json') || kind === 'text/plain' ? undefined : `answered with ${kind}, not JSON`;
}
