/**
 * Baselines: a team records today's findings, CI then fails only on new ones, and a recorded
 * finding stays recorded when unrelated edits move its lines.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import type { Report } from '../../src/report/report-model.js';
import { runLockstep } from '../support/run-cli.js';
import { INVERSION, tempProject } from '../support/temp-project.js';

const project = tempProject(INVERSION);
afterAll(() => project.remove());

it('suppresses recorded findings across line shifts and reports new ones', async () => {
  const cwd = project.dir;
  const record = await runLockstep(['.', '--baseline', 'lockstep-baseline.json', '--update-baseline'], { cwd });
  expect(record.code).toBe(0);
  expect(record.stderr).toContain('recorded 1 finding');

  // Unrelated edits: new lines above both acquisitions.
  for (const file of ['one.ts', 'two.ts']) {
    const full = path.join(cwd, file);
    fs.writeFileSync(full, `// a comment\n\nexport const VERSION = 2;\n${fs.readFileSync(full, 'utf8')}`);
  }
  const again = await runLockstep(['.', '--baseline', 'lockstep-baseline.json', '--format', 'json'], { cwd });
  expect(again.code).toBe(0);
  const report = JSON.parse(again.stdout) as Report;
  expect(report.findings).toEqual([]);
  expect(report.suppressed.baselined).toHaveLength(1);

  // A new inversion is still reported.
  fs.writeFileSync(
    path.join(cwd, 'three.ts'),
    `import { Lock } from '@lockstep/primitives';\nimport { first } from './locks.js';\nconst third = new Lock();\nexport function three(): void { using _c = third.hold(); using _a = first.hold(); }\nexport function four(): void { using _a = first.hold(); using _c = third.hold(); }\n`,
  );
  const fresh = await runLockstep(['.', '--baseline', 'lockstep-baseline.json', '--format', 'json'], { cwd });
  expect(fresh.code).toBe(1);
  expect((JSON.parse(fresh.stdout) as Report).findings).toHaveLength(1);
});
