/**
 * A model-id pattern: `*` stands for any run of characters (`/` and `:` included, so `claude-*` covers every
 * dated Claude id), `?` for one; everything else is literal, compared without regard to case since clients
 * differ in how they spell ids. A pattern without wildcards matches only itself.
 */
export function compileGlob(pattern: string): (id: string) => boolean {
  if (!/[*?]/.test(pattern)) {
    const exact = pattern.toLowerCase();
    return (id) => id.toLowerCase() === exact;
  }
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  const regex = new RegExp(`^${source}$`, 'i');
  return (id) => regex.test(id);
}

export function isGlob(pattern: string): boolean {
  return /[*?]/.test(pattern);
}
