import type { UserConfig } from 'vitest/config';

export function defineProxyConfig(overrides?: UserConfig): UserConfig;
