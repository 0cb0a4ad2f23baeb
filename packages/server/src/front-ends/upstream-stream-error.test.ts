import { describe, expect, it } from 'vitest';
import { upstreamStreamError } from './upstream-stream-error.js';

describe('upstreamStreamError', () => {
  it("reads vLLM's error event, the wrapped and the bare form, and a bare string", () => {
    expect(upstreamStreamError({ error: { object: 'error', message: 'engine died', code: 500 } }, 'nvidia')).toMatchObject({
      status: 502,
      code: 'upstream_error',
      message: 'The nvidia upstream reported an error in its stream: engine died',
    });
    expect(upstreamStreamError({ object: 'error', message: 'out of memory' }, 'nvidia')?.message).toContain('out of memory');
    expect(upstreamStreamError({ error: 'boom' }, 'nvidia')?.message).toContain(': boom');
    expect(upstreamStreamError({ error: {} }, 'nvidia')?.message).toBe('The nvidia upstream reported an error in its stream');
  });

  it('says nothing of chunks, usage frames or an error field beside choices', () => {
    expect(upstreamStreamError({ choices: [{ delta: { content: 'x' } }] }, 'nvidia')).toBeUndefined();
    expect(upstreamStreamError({ usage: { prompt_tokens: 1 } } as object, 'nvidia')).toBeUndefined();
    expect(upstreamStreamError({ choices: [], error: null }, 'nvidia')).toBeUndefined();
    expect(upstreamStreamError({ choices: [], error: { message: 'x' } }, 'nvidia')).toBeUndefined();
  });
});
