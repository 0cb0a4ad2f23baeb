import { describe, expect, it } from 'vitest';
import type { IncomingMessage } from 'node:http';
import { requestIdFor } from './request-id.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('requestIdFor', () => {
  const request = (id: string | undefined) => ({ headers: id === undefined ? {} : { 'x-request-id': id } }) as IncomingMessage;

  it("keeps the caller's plain id and replaces any other", () => {
    expect(requestIdFor(request('trace-123:a.b_c'))).toBe('trace-123:a.b_c');
    for (const odd of [undefined, '', 'has space', 'x'.repeat(129), 'quote"']) expect(requestIdFor(request(odd))).toMatch(UUID);
  });

  it('makes a fresh random UUID each time', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 1_000; i++) ids.add(requestIdFor(request(undefined)));
    expect(ids.size).toBe(1_000);
  });
});
