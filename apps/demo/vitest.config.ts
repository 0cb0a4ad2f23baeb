import { defineProxyConfig } from '@proxy/vitest-config';

export default defineProxyConfig();
