#!/usr/bin/env node
// The README's main job: the deadlock report on the demo app under fixtures/demo-app. The demo app has
// a lock-order inversion on purpose, so lockstep exiting 1 ("findings") is the expected outcome here;
// only exit 2 (usage or input error) or a crash fails the demo.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const lockstep = path.join(root, 'packages/analyzer/bin/lockstep.js');

console.log('$ lockstep fixtures/demo-app\n');
const run = spawnSync(process.execPath, [lockstep, 'fixtures/demo-app', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
if (run.status === 0 || run.status === 1) {
  console.log(`\nlockstep exited ${run.status} (${run.status === 1 ? 'findings: the demo app has a deliberate inversion' : 'no finding'}).`);
  process.exit(0);
}
console.error(`\nlockstep failed (exit ${run.status ?? run.signal}).`);
process.exit(1);
