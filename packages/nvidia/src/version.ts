import { createRequire } from 'node:module';

// Read at run time so the published version is the one changesets wrote, never a stale copy in the source.
const manifest = createRequire(import.meta.url)('../package.json') as { version: string };

export const NVIDIA_VERSION: string = manifest.version;
