import { ConfigError } from '../config/config-error.js';
import { loadConfig } from '../config/load-config.js';
import { startServer, type RunningServer } from '../start-server.js';
import type { BuildServerOptions } from '../build-server.js';
import { SERVER_VERSION } from '../version.js';
import { HELP_TEXT } from './help-text.js';
import { parseCliArgs } from './parse-cli-args.js';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export interface CliRun {
  /** Exit code for an action that is over (help, version, a bad configuration). */
  exitCode?: number;
  /** Set when the server is running. */
  server?: RunningServer;
}

/**
 * Everything the command does short of owning the process (signals, exit): testable in-process. Configuration
 * problems are printed as one clear sentence, never as a stack trace.
 */
export async function runCli(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  io: CliIo,
  options: BuildServerOptions & { cwd?: string } = {},
): Promise<CliRun> {
  let args;
  try {
    args = parseCliArgs(argv);
  } catch (error) {
    io.stderr(`nim-proxy: ${(error as Error).message}\nRun 'nim-proxy --help' for the options.\n`);
    return { exitCode: 2 };
  }
  if (args.help) {
    io.stdout(HELP_TEXT);
    return { exitCode: 0 };
  }
  if (args.version) {
    io.stdout(`${SERVER_VERSION}\n`);
    return { exitCode: 0 };
  }
  try {
    const { config, configFile } = loadConfig({ cli: args.layer, configPath: args.configPath, env, ...(options.cwd ? { cwd: options.cwd } : {}) });
    const server = await startServer(config, { env, ...options, configFile });
    return { server };
  } catch (error) {
    if (error instanceof ConfigError) {
      io.stderr(`nim-proxy: ${error.message}\n`);
      return { exitCode: 1 };
    }
    const code = (error as NodeJS.ErrnoException).code;
    // ENOTFOUND/EAI_AGAIN: `host` is a name that does not resolve (a typo in --host, a container's missing
    // hostname): as much a place the proxy cannot listen on as an address in use, not a crash with a stack.
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
      io.stderr(`nim-proxy: cannot listen: ${(error as Error).message}\n`);
      return { exitCode: 1 };
    }
    throw error;
  }
}
