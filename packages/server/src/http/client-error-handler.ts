import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { ProxyError } from '@proxy/core';
import type { FastifyInstance } from 'fastify';

/** Node's own answers to a request it could not read, as the OpenAI error every client here understands. */
const ANSWERS: Record<string, { status: number; code: string; message: string }> = {
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, code: 'request_timeout', message: 'The request was not received in time: send the whole body within the body timeout' },
  HPE_HEADER_OVERFLOW: { status: 431, code: 'headers_too_large', message: 'The request headers are too large' },
};
const MALFORMED = { status: 400, code: 'malformed_request', message: 'The request is not valid HTTP' };

/**
 * Fastify's `clientErrorHandler`: a request Node could not read (a body that did not arrive within
 * `body_timeout`, headers too large, broken HTTP) is answered in OpenAI's error shape, not Node's bare status line,
 * and the connection is closed.
 */
export function clientErrorHandler(this: FastifyInstance, error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const answer = (error.code !== undefined && ANSWERS[error.code]) || MALFORMED;
  this.log.info({ code: error.code, status: answer.status }, 'client error');
  if (socket.writable) {
    const body = JSON.stringify(new ProxyError({ message: answer.message, status: answer.status, code: answer.code }).toBody());
    socket.write(
      `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
