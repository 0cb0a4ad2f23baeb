import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** What the harness needs of `@proxy/server`; typed here so the testkit does not depend on the server. */
export interface ProxyServerModule {
  startServer(
    config: Record<string, unknown>,
    options?: { env?: Readonly<Record<string, string | undefined>>; logDestination?: { write(line: string): unknown } },
  ): Promise<{ url: string; close(): Promise<boolean> }>;
}

const SPECIFIER = '@proxy/server';

/**
 * Loads `@proxy/server` from the consumer's project. The testkit does not depend on the server (a mock must install
 * without it), so under strict layouts such as pnpm's the import has to be resolved from the caller's directory.
 */
export async function loadProxyServer(fromDirectory = process.cwd()): Promise<ProxyServerModule> {
  try {
    return (await import(SPECIFIER)) as ProxyServerModule;
  } catch {
    try {
      const resolved = createRequire(join(fromDirectory, 'package.json')).resolve(SPECIFIER);
      return (await import(pathToFileURL(resolved).href)) as ProxyServerModule;
    } catch (error) {
      throw new Error(
        `The proxy harness needs ${SPECIFIER}: install it next to @proxy/testkit, or pass { server: await import('${SPECIFIER}') }`,
        { cause: error },
      );
    }
  }
}
