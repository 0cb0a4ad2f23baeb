/**
 * Where a profiled function's source lives, shortened for a table:
 * `…/node_modules/.pnpm/fastify@5.1.0/node_modules/fastify/lib/x.js` → `fastify/lib/x.js`, `…/packages/core/dist/x.js`
 * → `packages/core/dist/x.js` (and `apps/…` alike); `node:` modules as they are.
 */
export function shortFile(url: string): string {
  if (!url) return '(native)';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) return url.slice(modules + 'node_modules/'.length);
  const ours = /\/(?:packages|apps)\//.exec(url);
  if (ours) return url.slice(ours.index + 1);
  return url.replace(/^file:\/\//, '');
}

/** The package of a source URL: `fastify`, `@pinojs/redact`, `packages/core`, `apps/bench`, `node:internal`. */
export function packageOf(url: string): string {
  const short = shortFile(url);
  if (short.startsWith('packages/') || short.startsWith('apps/')) return short.split('/').slice(0, 2).join('/');
  if (short.startsWith('node:') || short === '(native)') return short.split('/')[0]!;
  return short.startsWith('@') ? short.split('/').slice(0, 2).join('/') : short.split('/')[0]!;
}
