#!/usr/bin/env node
// The README's main job, on the demo app under fixtures/demo-app: the `lockstep` deadlock report, then
// ESLint with @lockstep/eslint-plugin's recommended rules (type-aware, through typescript-eslint), then
// the demo app's own tests with the run-time lock validator switched on.
// The demo app has bugs on purpose, so findings are the expected outcome: only a tool that fails to
// run (lockstep exit 2, an ESLint crash) fails the demo.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import lockstep from '@lockstep/eslint-plugin';
import { disableLockValidation, formatLockValidationText } from '@lockstep/primitives/validate';

// Importing the validator switches it on; this script only formats its reports.
disableLockValidation();

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const demo = path.join(root, 'fixtures/demo-app');

console.log('$ lockstep fixtures/demo-app\n');
const run = spawnSync(process.execPath, [path.join(root, 'packages/analyzer/bin/lockstep.js'), 'fixtures/demo-app'], { cwd: root, stdio: 'inherit' });
if (run.status !== 0 && run.status !== 1) {
  console.error(`\nlockstep failed (exit ${run.status ?? run.signal}).`);
  process.exit(1);
}
console.log(`\nlockstep exited ${run.status} (${run.status === 1 ? "findings: the demo app's deliberate deadlocks, see fixtures/demo-app/README.md" : 'no finding'}).\n`);

console.log('$ eslint fixtures/demo-app   (@lockstep/eslint-plugin configs.recommended)\n');
const eslint = new ESLint({
  cwd: demo,
  overrideConfigFile: true,
  overrideConfig: [
    {
      files: ['**/*.ts'],
      languageOptions: { parser: tseslint.parser, parserOptions: { projectService: true, tsconfigRootDir: demo } },
    },
    { files: ['**/*.ts'], ...lockstep.configs.recommended },
  ],
});
const results = await eslint.lintFiles(['src/**/*.ts']);
const formatter = await eslint.loadFormatter('stylish');
const output = await formatter.format(results);
console.log(output.trim() === '' ? 'eslint: no problems found.' : output);
const problems = results.reduce((sum, result) => sum + result.errorCount + result.warningCount, 0);
const fatal = results.some((result) => result.messages.some((message) => message.fatal === true));
if (fatal) {
  console.error('eslint could not parse a file of the demo app.');
  process.exit(1);
}
console.log(`eslint reported ${problems} problem(s) from the lockstep rules.`);

// Third: the demo app's own tests, run with the lock validator (@lockstep/primitives/validate). Each
// test passes without it except the stale-table one, which hangs until its timeout; with it, the two
// tests that reach a bug fail at once with a run-time report, fingerprinted as lockstep's.
console.log('\n$ node --import tsx --import @lockstep/primitives/validate --test fixtures/demo-app/test/*.test.ts   (LOCKSTEP_VALIDATE_ON_REPORT=throw)\n');
const findingsDir = mkdtempSync(path.join(tmpdir(), 'lockstep-demo-'));
try {
  const tests = ['exchange-rates.test.ts', 'orders.test.ts'].map((name) => `fixtures/demo-app/test/${name}`);
  const testRun = spawnSync(process.execPath, ['--import', 'tsx', '--import', '@lockstep/primitives/validate', '--test', '--test-force-exit', '--test-reporter=spec', ...tests], {
    cwd: root,
    env: { ...process.env, LOCKSTEP_VALIDATE_ON_REPORT: 'throw', LOCKSTEP_VALIDATE_JSON: path.join(findingsDir, 'findings-{pid}.json') },
    stdio: 'inherit',
    timeout: 120_000,
  });
  if (testRun.status === null) {
    console.error(`the demo app's test run did not finish (${testRun.error?.message ?? testRun.signal}).`);
    process.exit(1);
  }
  const findings = readdirSync(findingsDir)
    .flatMap((name) => JSON.parse(readFileSync(path.join(findingsDir, name), 'utf8')).findings)
    .sort((a, b) => a.kind.localeCompare(b.kind));
  if (findings.length === 0) {
    console.error('the lock validator reported nothing on the demo app\'s tests (it should report the inversion and the self-deadlock).');
    process.exit(1);
  }
  console.log('\nThe lock validator\'s reports (the full text of what each failing test threw):\n');
  console.log(formatLockValidationText(findings));
  const statically = new Map(JSON.parse(spawnSync(process.execPath, [path.join(root, 'packages/analyzer/bin/lockstep.js'), 'fixtures/demo-app', '--format', 'json'], { cwd: root, encoding: 'utf8' }).stdout).findings.map((finding) => [finding.fingerprint, finding.kind]));
  for (const finding of findings) {
    const same = statically.has(finding.fingerprint) ? `the same finding as lockstep's ${statically.get(finding.fingerprint)}` : 'not in lockstep\'s report';
    console.log(`run time ${finding.kind} ${finding.locks.join(' ↔ ')}: fingerprint ${finding.fingerprint}, ${same}`);
  }
} finally {
  rmSync(findingsDir, { recursive: true, force: true });
}
