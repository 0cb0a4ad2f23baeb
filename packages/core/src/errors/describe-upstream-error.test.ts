import { describe, expect, it } from 'vitest';
import { describeUpstreamError } from './describe-upstream-error.js';

describe('describeUpstreamError', () => {
  it('reads an OpenAI error body', () => {
    const body = JSON.stringify({ error: { message: 'bad model', type: 'invalid_request_error', code: 'model_not_found', param: 'model' } });
    expect(describeUpstreamError(body)).toEqual({ message: 'bad model', type: 'invalid_request_error', code: 'model_not_found', param: 'model' });
  });

  it('prefers problem-details `detail`, then `title`', () => {
    expect(describeUpstreamError('{"status":403,"title":"Forbidden","detail":"Authorization failed"}').message).toBe('Authorization failed');
    expect(describeUpstreamError('{"status":429,"title":"Too Many Requests"}').message).toBe('Too Many Requests');
  });

  it('reads a bare message and FastAPI-style details with their location as param', () => {
    expect(describeUpstreamError('{"message":"Validation: Unsupported parameter(s): dimensions"}').message).toBe(
      'Validation: Unsupported parameter(s): dimensions',
    );
    const single = describeUpstreamError('{"detail":{"type":"extra_forbidden","loc":["body","dimensions"]}}');
    expect(single).toMatchObject({ message: 'extra_forbidden (at body.dimensions)', param: 'dimensions' });
    const list = describeUpstreamError(
      '{"detail":[{"type":"extra_forbidden","loc":["body","reasoning"],"msg":"Extra inputs are not permitted"}]}',
    );
    expect(list).toMatchObject({ message: 'Extra inputs are not permitted (at body.reasoning)', param: 'reasoning' });
  });

  it('quotes plain text, clipped, and says nothing for an empty body', () => {
    expect(describeUpstreamError('upstream exploded').message).toBe('upstream exploded');
    expect(describeUpstreamError('y'.repeat(5000)).message).toHaveLength(1001);
    expect(describeUpstreamError('  ').message).toBeUndefined();
  });
});
