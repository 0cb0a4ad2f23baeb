#!/usr/bin/env node
// Builds, type-checks, lints and tests every package through turbo, then prints one plain line,
// `tests: N passed, N failed`, summed from the vitest JSON reports. vitest prints a summary per package; CI needs
// one honest total it can read.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
const groups = ['packages', 'apps', 'tooling'];
const reportPaths = groups.flatMap((group) =>
  readdirSync(join(root, group), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => join(root, group, entry.name, '.vitest', 'report.json')),
);

// A stale report from an earlier run must not be counted as this run's.
for (const path of reportPaths) rmSync(path, { force: true });

console.log(`running the tests on Node ${process.version}`);
// First build, type-check and lint every package (vitest strips types, so a type error in an app would otherwise
// pass), then run the tests on their own: timing-sensitive suites must not share two cores with tsc and eslint.
// --continue: one failing package must not cancel the others, or their tests would go uncounted.
const extra = [...process.argv.slice(2), ...(process.env.CI ? ['--force'] : [])];
const turbo = (tasks) =>
  spawnSync(join(root, 'node_modules', '.bin', 'turbo'), ['run', ...tasks, '--continue', ...extra], { cwd: root, stdio: 'inherit' })
    .status ?? 1;
const checksStatus = turbo(['build', 'typecheck', 'lint']);
const testStatus = turbo(['test']);

let passed = 0;
let failed = 0;
let skipped = 0;
for (const path of reportPaths) {
  if (!existsSync(path)) continue;
  const report = JSON.parse(readFileSync(path, 'utf8'));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + (report.numTodoTests ?? 0);
  // A suite that failed to load (syntax error, missing import) has no tests but must still count as a failure.
  failed += report.testResults.filter((file) => file.status === 'failed' && file.assertionResults.length === 0).length;
}
const exitCode = checksStatus || testStatus;
if (exitCode !== 0 && failed === 0) failed = 1; // turbo failed outside vitest (build, type error): never report green
console.log(`tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(exitCode);
