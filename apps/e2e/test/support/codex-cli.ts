import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * The Codex CLI from the registry (`@openai/codex`, pinned in this package): a Node launcher over a native binary
 * shipped as a per-platform optional dependency. Undefined when this platform has none installed.
 */
export const CODEX_BIN: string | undefined = (() => {
  try {
    const packageJson = createRequire(import.meta.url).resolve('@openai/codex/package.json');
    const launcher = join(dirname(packageJson), 'bin', 'codex.js');
    return existsSync(launcher) ? launcher : undefined;
  } catch {
    return undefined;
  }
})();

export interface CodexRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The working directory Codex ran in (removed by `cleanup`). */
  workdir: string;
}

/**
 * The `config.toml` a user pastes (docs/clients/codex.md), pointed at the proxy; `provider` adds lines to its provider
 * table, `settings` top-level lines (e.g. `model_reasoning_effort = "high"`).
 */
export function codexConfig(baseURL: string, model: string, provider: readonly string[] = [], settings: readonly string[] = []): string {
  return [
    `model = "${model}"`,
    'model_provider = "nim-proxy"',
    'check_for_update_on_startup = false',
    ...settings,
    '',
    '[model_providers.nim-proxy]',
    'name = "NIM proxy"',
    `base_url = "${baseURL}"`,
    'env_key = "NIM_PROXY_API_KEY"',
    'wire_api = "responses"',
    ...provider,
    '',
  ].join('\n');
}

/**
 * Runs `codex exec` once with a fresh CODEX_HOME (and HOME) in a fresh directory. No network but the proxy: every
 * other host goes through an HTTP(S) proxy on a closed local port, so an update check or telemetry upload fails at
 * once instead of reaching the internet or hanging; the run is killed after `timeoutMs`.
 */
export async function runCodex(options: {
  baseURL: string;
  apiKey: string;
  model: string;
  prompt: (workdir: string) => string;
  timeoutMs?: number;
  /** Lines for the provider table, e.g. `stream_idle_timeout_ms = 2000`. */
  provider?: readonly string[];
  /** Top-level lines of config.toml, e.g. `model_reasoning_effort = "high"`. */
  settings?: readonly string[];
  /** More options of `codex exec`, e.g. `['--output-schema', file]`. */
  args?: readonly string[];
}): Promise<CodexRun & { cleanup(): void }> {
  if (!CODEX_BIN) throw new Error('@openai/codex is not installed for this platform');
  const home = mkdtempSync(join(tmpdir(), 'codex-home-'));
  const workdir = mkdtempSync(join(tmpdir(), 'codex-work-'));
  const cleanup = () => {
    rmSync(home, { recursive: true, force: true });
    rmSync(workdir, { recursive: true, force: true });
  };
  writeFileSync(join(home, 'config.toml'), codexConfig(options.baseURL, options.model, options.provider, options.settings));
  const child = spawn(process.execPath, [CODEX_BIN, 'exec', '--skip-git-repo-check', '--dangerously-bypass-approvals-and-sandbox', '-C', workdir, ...(options.args ?? []), options.prompt(workdir)], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: home,
      CODEX_HOME: home,
      NIM_PROXY_API_KEY: options.apiKey,
      HTTPS_PROXY: 'http://127.0.0.1:9',
      HTTP_PROXY: 'http://127.0.0.1:9',
      ALL_PROXY: 'http://127.0.0.1:9',
      NO_PROXY: '127.0.0.1,localhost',
      RUST_LOG: 'error',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (data: string) => (stdout += data));
  child.stderr.setEncoding('utf8').on('data', (data: string) => (stderr += data));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  })
    .finally(() => clearTimeout(timer))
    .catch((error: unknown) => {
      cleanup(); // a run that could not start returns no cleanup to its caller
      throw error;
    });
  return { code, stdout, stderr, workdir, cleanup };
}
