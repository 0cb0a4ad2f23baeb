import { describe, expect, it } from 'vitest';
import { nearestKey } from './nearest-key.js';

const KEYS = ['type', 'api_url', 'api_key', 'timeout', 'connect_timeout', 'models', 'health_check'];

describe('nearestKey', () => {
  it.each([
    ['api_kye', 'api_key'],
    ['timout', 'timeout'],
    ['API_KEY', 'api_key'],
    ['apikey', 'api_key'],
    ['model', 'models'],
    ['tpye', 'type'],
    ['conect_timeout', 'connect_timeout'],
    ['healthcheck', 'health_check'],
  ])('%s → %s', (typed, expected) => {
    expect(nearestKey(typed, KEYS)).toBe(expected);
  });

  it('suggests nothing for a word that is no slip of the fingers', () => {
    expect(nearestKey('custom_setting', KEYS)).toBeUndefined();
    expect(nearestKey('region', KEYS)).toBeUndefined();
    expect(nearestKey('anything', [])).toBeUndefined();
  });

  it('prefers the nearest of several candidates', () => {
    expect(nearestKey('api_ur', KEYS)).toBe('api_url');
  });
});
