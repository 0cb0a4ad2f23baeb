export { default } from '@proxy/eslint-config';
