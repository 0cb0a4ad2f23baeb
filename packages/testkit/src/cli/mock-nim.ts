import { runMockNim } from './run-mock-nim.js';

try {
  const server = await runMockNim(process.argv.slice(2), { log: (line) => console.log(line) });
  if (server) {
    const stop = (): void => void server.close().then(() => process.exit(0));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  }
} catch (error) {
  console.error(`mock-nim: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
