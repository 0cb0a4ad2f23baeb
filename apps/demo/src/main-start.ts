import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

// `pnpm start`: the real proxy against NVIDIA when a key is set, otherwise the demo wired to the mock NIM.
if (process.env.NVIDIA_API_KEY?.trim()) {
  // The proxy's own command line, exactly as `nim-proxy` runs it (flags after `pnpm start --` pass through).
  const manifest = createRequire(import.meta.url).resolve('@proxy/server/package.json');
  await import(pathToFileURL(join(dirname(manifest), 'bin', 'nim-proxy.js')).href);
} else {
  console.log('NVIDIA_API_KEY is not set: starting the demo (the proxy in front of a mock NIM).');
  await import('./main-demo.js');
}
