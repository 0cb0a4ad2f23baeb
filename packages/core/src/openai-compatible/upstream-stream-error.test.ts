import { describe, expect, it } from 'vitest';
import { firstEventMentionsError, upstreamStreamError } from './upstream-stream-error.js';

describe('upstreamStreamError', () => {
  it("reads vLLM's error event, the wrapped and the bare form, and a bare string", () => {
    expect(upstreamStreamError({ error: { object: 'error', message: 'engine died', code: 500 } }, 'nvidia')).toMatchObject({
      status: 502,
      code: 'upstream_stream_error',
      message: 'The nvidia upstream reported an error in its stream: engine died',
    });
    expect(upstreamStreamError({ object: 'error', message: 'out of memory' }, 'nvidia')?.message).toContain('out of memory');
    expect(upstreamStreamError({ error: 'boom' }, 'nvidia')?.message).toContain(': boom');
    expect(upstreamStreamError({ error: {} }, 'nvidia')?.message).toBe('The nvidia upstream reported an error in its stream');
  });

  it("keeps the status of an error the client caused, and calls the upstream's own failures worth another try", () => {
    expect(upstreamStreamError({ error: { message: 'too long', code: 400 } }, 'nvidia')).toMatchObject({ status: 400, isRetryable: false });
    expect(upstreamStreamError({ error: { message: 'slow down', code: 429 } }, 'nvidia')).toMatchObject({ status: 429, isRetryable: true });
    expect(upstreamStreamError({ error: { message: 'engine died', code: 500 } }, 'nvidia')).toMatchObject({ status: 502, isRetryable: true });
    expect(upstreamStreamError({ error: 'boom' }, 'nvidia')).toMatchObject({ status: 502, isRetryable: true });
  });

  it('finds "error" in the first event of a read only', () => {
    expect(firstEventMentionsError('data: {"error": {"message": "x"}}\n\n')).toBe(true);
    expect(firstEventMentionsError(Buffer.from('data: {"object": "error"}\n\n'))).toBe(true);
    expect(firstEventMentionsError('data: {"choices":[]}\n\ndata: {"error":1}\n\n')).toBe(false);
    expect(firstEventMentionsError(new Uint8Array(Buffer.from('data: {"choices":[]}\n\n')))).toBe(false);
  });

  it('says nothing of chunks, usage frames or an error field beside choices', () => {
    expect(upstreamStreamError({ choices: [{ delta: { content: 'x' } }] }, 'nvidia')).toBeUndefined();
    expect(upstreamStreamError({ usage: { prompt_tokens: 1 } } as object, 'nvidia')).toBeUndefined();
    expect(upstreamStreamError({ choices: [], error: null }, 'nvidia')).toBeUndefined();
    expect(upstreamStreamError({ choices: [], error: { message: 'x' } }, 'nvidia')).toBeUndefined();
  });
});
