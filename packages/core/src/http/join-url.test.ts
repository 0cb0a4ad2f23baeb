import { describe, expect, it } from 'vitest';
import { joinUrl } from './join-url.js';

describe('joinUrl', () => {
  it.each([
    ['https://h/v1', 'models', 'https://h/v1/models'],
    ['https://h/v1/', 'models', 'https://h/v1/models'],
    ['https://h/v1//', '/chat/completions', 'https://h/v1/chat/completions'],
    ['http://127.0.0.1:9000', 'models', 'http://127.0.0.1:9000/models'],
  ])('%s + %s', (base, path, expected) => {
    expect(joinUrl(base, path)).toBe(expected);
  });
});
