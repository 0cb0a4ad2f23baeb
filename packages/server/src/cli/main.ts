import { runCli } from './run-cli.js';

// The process shell around runCli: exit codes and signals. SIGTERM/SIGINT/SIGHUP stop accepting connections, let
// in-flight streams finish within the grace period, then exit 0; a second signal exits at once.
const run = await runCli(process.argv.slice(2), process.env, {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});

if (run.server) {
  const { server } = run;
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      server.app.log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    server.app.log.info({ signal, grace_period_s: server.config.shutdown_grace_period }, 'shutting down');
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        server.app.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // A closed terminal or a supervisor without nohup sends SIGHUP: drained like SIGTERM, never an instant death.
  process.on('SIGHUP', stop);
} else {
  process.exitCode = run.exitCode ?? 1;
}
