#!/usr/bin/env node
// The README's main job, on the demo app under fixtures/demo-app: the `lockstep` deadlock report, then
// ESLint with @lockstep/eslint-plugin's recommended rules (type-aware, through typescript-eslint).
// The demo app has bugs on purpose, so findings are the expected outcome: only a tool that fails to
// run (lockstep exit 2, an ESLint crash) fails the demo.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import lockstep from '@lockstep/eslint-plugin';

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
