import type { ProxyError, SecretScrubber } from '@proxy/core';
import type { FastifyReply } from 'fastify';
import type { FrontEnd } from './front-end.js';

type Renderer = Pick<FrontEnd<unknown>, 'renderError'>;

/** Answers `error` in the front end's shape, scrubbed of every key, and returns the status sent. */
export function sendRenderedError(reply: FastifyReply, frontEnd: Renderer, error: ProxyError, scrubber: SecretScrubber): number {
  const rendered = frontEnd.renderError(error);
  reply
    .code(rendered.status)
    .headers({ ...error.headers, ...rendered.headers })
    .type('application/json; charset=utf-8')
    .send(scrubber.scrub(JSON.stringify(rendered.body)));
  return rendered.status;
}
