/**
 * `@proxy/testkit`: a mock NVIDIA NIM as msw request handlers, plus the helpers tests need to predict its
 * answers. Fetch-only: the listening server is in `@proxy/testkit/node`, the setupServer adapter in
 * `@proxy/testkit/msw`.
 */
export * from './handlers/index.js';
