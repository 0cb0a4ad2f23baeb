import { describe, expect, it } from 'vitest';
import { ProxyError } from './proxy-error.js';
import { urlWithoutCredentials } from './url-without-credentials.js';

describe('urlWithoutCredentials', () => {
  it('removes a user name and password, and leaves every other URL as it is', () => {
    expect(urlWithoutCredentials('http://admin:s3cret-pass@nim.internal:8000/v1/chat/completions')).toBe('http://nim.internal:8000/v1/chat/completions');
    expect(urlWithoutCredentials('https://token@nim.internal/v1/embeddings')).toBe('https://nim.internal/v1/embeddings');
    expect(urlWithoutCredentials('https://integrate.api.nvidia.com/v1/chat/completions')).toBe('https://integrate.api.nvidia.com/v1/chat/completions');
    expect(urlWithoutCredentials('https://nim.internal/v1/models?owner=a@b')).toBe('https://nim.internal/v1/models?owner=a@b');
  });

  it('keeps a ProxyError from carrying them', () => {
    const error = new ProxyError({ status: 502, message: 'The up upstream closed the connection', url: 'http://admin:s3cret-pass@nim.internal/v1/chat/completions' });
    expect(error.url).toBe('http://nim.internal/v1/chat/completions');
  });
});
