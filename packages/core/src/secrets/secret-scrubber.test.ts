import { describe, expect, it } from 'vitest';
import { SecretScrubber } from './secret-scrubber.js';

const key = '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';
const scrubber = new SecretScrubber([key, 'proxy-key-1234567890abc', undefined]);

describe('SecretScrubber', () => {
  it('returns bytes without a secret as the very same object', () => {
    const bytes = Buffer.from('data: {"choices":[{"delta":{"content":"hello"}}]}\n\n');
    expect(scrubber.scrub(bytes)).toBe(bytes);
    expect(scrubber.scrub('plain text')).toBe('plain text');
  });

  it('removes a secret whole, in a string or in bytes, however often it appears', () => {
    expect(scrubber.scrub(`Authorization: Bearer ${key} and again ${key}`)).toBe('Authorization: Bearer [redacted] and again [redacted]');
    expect(Buffer.from(scrubber.scrub(Buffer.from(`{"echo":"${key}"}`))).toString()).toBe('{"echo":"[redacted]"}');
    expect(scrubber.scrub('key=proxy-key-1234567890abc;')).toBe('key=[redacted];');
  });

  it('removes the first 12 characters of a long secret and as much of it as follows them', () => {
    expect(scrubber.scrub(`leak: ${key.slice(0, 12)}…`)).toBe('leak: [redacted]…');
    expect(scrubber.scrub(`leak: ${key.slice(0, 40)}!`)).toBe('leak: [redacted]!');
  });

  it('removes its URL-encoded and base64 forms, at every alignment', () => {
    const special = new SecretScrubber(['s3cret/with+plus=and?more&chars']);
    expect(special.scrub(`q=${encodeURIComponent('s3cret/with+plus=and?more&chars')}`)).toBe('q=[redacted]');
    for (const before of ['', 'x', 'xy', 'Bearer ']) {
      for (const encoding of ['base64', 'base64url'] as const) {
        const encoded = Buffer.from(`${before}${key} trailing`).toString(encoding);
        const scrubbed = scrubber.scrub(`{"token":"${encoded}"}`);
        expect(scrubbed, `${encoding} after ${JSON.stringify(before)}`).toContain('[redacted]');
        expect(Buffer.from(scrubbed.split('"')[3]!.replace('[redacted]', ''), encoding).toString('latin1')).not.toContain(key.slice(4, 20));
      }
    }
  });

  it("removes a secret whose slashes JSON escaped as '\\/', whole or from its first characters on", () => {
    const slashed = new SecretScrubber(['sk/abcdefghijklmnopqrstuvwxyz/0123456789', 'abcdefghijklmnopq/rstuvwxyz']);
    expect(slashed.scrub('{"echo":"sk\\/abcdefghijklmnopqrstuvwxyz\\/0123456789"}')).toBe('{"echo":"[redacted]"}');
    expect(slashed.scrub('{"echo":"sk\\/abcdefghij…"}')).toBe('{"echo":"[redacted]…"}');
    expect(slashed.scrub('{"echo":"abcdefghijklmnopq\\/rstuvwxyz"}')).toBe('{"echo":"[redacted]"}');
    expect(slashed.scrub('{"echo":"abcdefghijklmnopq\\/rst"}')).toBe('{"echo":"[redacted]"}');
  });

  it('does nothing without secrets', () => {
    const none = new SecretScrubber([]);
    expect(none.active).toBe(false);
    expect(none.scrub(key)).toBe(key);
  });
});
