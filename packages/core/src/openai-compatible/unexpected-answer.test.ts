import { describe, expect, it } from 'vitest';
import { unexpectedAnswer } from './unexpected-answer.js';

describe('unexpectedAnswer', () => {
  it('takes the answers a completion expects, with or without a content type', () => {
    expect(unexpectedAnswer(200, { 'content-type': 'application/json; charset=utf-8' }, 'json')).toBeUndefined();
    expect(unexpectedAnswer(200, { 'content-type': 'text/event-stream' }, 'event-stream')).toBeUndefined();
    expect(unexpectedAnswer(200, {}, 'event-stream')).toBeUndefined();
    expect(unexpectedAnswer(200, { 'content-encoding': 'identity', 'content-type': 'application/json' }, 'json')).toBeUndefined();
  });

  it('names what came instead: a redirect, a compressed body, another kind of body', () => {
    expect(unexpectedAnswer(302, { location: 'http://login' }, 'json')).toMatch(/302 \(a redirect\)/);
    expect(unexpectedAnswer(200, { 'content-encoding': 'gzip', 'content-type': 'application/json' }, 'json')).toMatch(/gzip-compressed/);
    expect(unexpectedAnswer(200, { 'content-type': 'text/html' }, 'json')).toMatch(/text\/html, not JSON/);
    expect(unexpectedAnswer(200, { 'content-type': 'application/json' }, 'event-stream')).toMatch(/application\/json, not an event stream/);
  });
});
