import { describe, expect, it } from 'vitest';
import type { IncomingMessage } from 'node:http';
import { newRequestId, requestIdFor } from './request-id.js';

describe('newRequestId', () => {
  it('makes 32 hex digits, never the same twice, across many refills of its pool', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 5_000; i++) {
      const id = newRequestId();
      expect(id).toMatch(/^[0-9a-f]{32}$/);
      ids.add(id);
    }
    expect(ids.size).toBe(5_000);
  });
});

describe('requestIdFor', () => {
  const request = (id: string | undefined) => ({ headers: id === undefined ? {} : { 'x-request-id': id } }) as IncomingMessage;

  it("keeps the caller's plain id and replaces any other", () => {
    expect(requestIdFor(request('trace-123:a.b_c'))).toBe('trace-123:a.b_c');
    for (const odd of [undefined, '', 'has space', 'x'.repeat(129), 'quote"']) expect(requestIdFor(request(odd))).toMatch(/^[0-9a-f]{32}$/);
  });
});
