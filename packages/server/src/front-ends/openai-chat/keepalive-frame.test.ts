import { describe, expect, it } from 'vitest';
import { buildKeepaliveFrame } from './keepalive-frame.js';

describe('buildKeepaliveFrame', () => {
  it('builds an empty OpenAI chunk for the client model', () => {
    const frame = buildKeepaliveFrame({ format: 'openai', model: 'nvidia:a/b', id: 'chatcmpl-keepalive-1', created: 42 });
    expect(frame).toBe(
      'data: {"id":"chatcmpl-keepalive-1","object":"chat.completion.chunk","created":42,"model":"nvidia:a/b","choices":[{"index":0,"delta":{},"finish_reason":null}]}\n\n',
    );
  });

  it('builds an SSE comment in the comment format', () => {
    expect(buildKeepaliveFrame({ format: 'comment', model: 'm', id: 'x', created: 1 })).toBe(': keepalive\n\n');
  });
});
