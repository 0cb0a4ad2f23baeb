import { createRequire } from 'node:module';

// Read at run time so `--version` reports what changesets wrote into the manifest, never a stale copy.
const manifest = createRequire(import.meta.url)('../package.json') as { version: string };

export const SERVER_VERSION: string = manifest.version;
