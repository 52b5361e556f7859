/**
 * Baselines: a team records today's findings, CI then fails only on new ones, and a recorded
 * finding stays recorded when unrelated edits move its lines or a new function follows the lock order,
 * but comes back when a new function closes the same cycle.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fingerprintFindingV1 } from '../../src/report/fingerprint.js';
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

/**
 * `first → second` is the order the code follows (two functions, through a helper); `two` alone
 * inverts it. The baseline accepts this cycle.
 */
const CONVENTION = {
  'locks.ts': `import { Lock } from '@lockstep/primitives';\nexport const first = new Lock();\nexport const second = new Lock();\n`,
  'helpers.ts': `import { second } from './locks.js';\nexport function takeSecond(): void {\n  using _b = second.hold();\n}\n`,
  'one.ts': `import { first } from './locks.js';\nimport { takeSecond } from './helpers.js';\nexport function one(): void {\n  using _a = first.hold();\n  takeSecond();\n}\nexport function oneMore(): void {\n  using _a = first.hold();\n  takeSecond();\n}\n`,
  'two.ts': `import { first, second } from './locks.js';\nexport function two(): void {\n  using _b = second.hold();\n  using _a = first.hold();\n}\n`,
};

interface BaselineOnDisk {
  version: number;
  findings: { fingerprint: string; edges: { from: string; to: string; functions: { holding: string; acquiring: string }[] }[] }[];
}

describe('what a baseline accepts', () => {
  const projects: { remove: () => void }[] = [];
  afterAll(() => {
    for (const made of projects) made.remove();
  });

  /** A project with CONVENTION and a baseline recorded from it. */
  async function recordedProject(): Promise<string> {
    const made = tempProject(CONVENTION);
    projects.push(made);
    const record = await runLockstep(['.', '--baseline', 'lockstep-baseline.json', '--update-baseline'], { cwd: made.dir });
    expect(record.code).toBe(0);
    return made.dir;
  }

  async function check(cwd: string): Promise<{ code: number; report: Report }> {
    const run = await runLockstep(['.', '--baseline', 'lockstep-baseline.json', '--format', 'json'], { cwd });
    return { code: run.code, report: JSON.parse(run.stdout) as Report };
  }

  it('records version 2 with every function pair behind each edge of the cycle', async () => {
    const cwd = await recordedProject();
    const file = JSON.parse(fs.readFileSync(path.join(cwd, 'lockstep-baseline.json'), 'utf8')) as BaselineOnDisk;
    expect(file.version).toBe(2);
    expect(file.findings).toHaveLength(1);
    expect(file.findings[0]!.edges).toEqual([
      {
        from: 'first',
        to: 'second',
        functions: [
          { holding: 'one.ts#one', acquiring: 'helpers.ts#takeSecond' },
          { holding: 'one.ts#oneMore', acquiring: 'helpers.ts#takeSecond' },
        ],
      },
      { from: 'second', to: 'first', functions: [{ holding: 'two.ts#two', acquiring: 'two.ts#two' }] },
    ]);
  });

  it('a new function taking the same locks in the consistent order keeps the baseline quiet', async () => {
    const cwd = await recordedProject();
    // No helper between the locks: its witness has the shortest chain and becomes the one shown.
    fs.writeFileSync(
      path.join(cwd, 'three.ts'),
      `import { first, second } from './locks.js';\nexport function three(): void {\n  using _a = first.hold();\n  using _b = second.hold();\n}\n`,
    );
    const { code, report } = await check(cwd);
    expect(report.findings).toEqual([]);
    expect(code).toBe(0);
    expect(report.suppressed.baselined).toHaveLength(1);
    const shown = await runLockstep(['.', '--format', 'json'], { cwd });
    const step = (JSON.parse(shown.stdout) as Report).findings[0]!.steps.find((s) => s.witness.held.function === 'three');
    expect(step?.witnessCount).toBe(3);
  });

  it('a new function inverting the same locks is reported as new, under the same fingerprint', async () => {
    const cwd = await recordedProject();
    const [accepted] = (JSON.parse(fs.readFileSync(path.join(cwd, 'lockstep-baseline.json'), 'utf8')) as BaselineOnDisk).findings;
    fs.writeFileSync(
      path.join(cwd, 'four.ts'),
      `import { first, second } from './locks.js';\nexport function four(): void {\n  using _b = second.hold();\n  using _a = first.hold();\n}\n`,
    );
    const { code, report } = await check(cwd);
    expect(code).toBe(1);
    expect(report.findings.map((finding) => finding.fingerprint)).toEqual([accepted!.fingerprint]);
    expect(report.suppressed.baselined).toEqual([]);
    // Recording again accepts it.
    expect((await runLockstep(['.', '--baseline', 'lockstep-baseline.json', '--update-baseline'], { cwd })).code).toBe(0);
    expect((await check(cwd)).code).toBe(0);
  });

  it('with one function each way, the declaration order decides: a new function along it stays baselined, one against it comes back', async () => {
    // INVERSION: one() takes first then second, two() the reverse; first is declared before second.
    const made = tempProject(INVERSION);
    projects.push(made);
    const cwd = made.dir;
    expect((await runLockstep(['.', '--baseline', 'lockstep-baseline.json', '--update-baseline'], { cwd })).code).toBe(0);
    const along = `import { first, second } from './locks.js';\nexport function three(): void {\n  using _a = first.hold();\n  using _b = second.hold();\n}\n`;
    fs.writeFileSync(path.join(cwd, 'three.ts'), along);
    expect((await check(cwd)).code).toBe(0);
    const against = `import { first, second } from './locks.js';\nexport function four(): void {\n  using _b = second.hold();\n  using _a = first.hold();\n}\n`;
    fs.writeFileSync(path.join(cwd, 'four.ts'), against);
    const { code, report } = await check(cwd);
    expect(code).toBe(1);
    expect(report.findings).toHaveLength(1);
  });

  it('renaming a function on the consistent side survives; renaming the inverting one comes back', async () => {
    const cwd = await recordedProject();
    const rename = (file: string, from: string, to: string) => {
      const full = path.join(cwd, file);
      fs.writeFileSync(full, fs.readFileSync(full, 'utf8').replace(`function ${from}(`, `function ${to}(`));
    };
    rename('one.ts', 'oneMore', 'another');
    expect((await check(cwd)).code).toBe(0);
    rename('two.ts', 'two', 'swap');
    expect((await check(cwd)).code).toBe(1);
  });

  it('a version-1 baseline is still read, matched by the fingerprints it holds', async () => {
    const made = tempProject(CONVENTION);
    projects.push(made);
    const cwd = made.dir;
    const current = (await runLockstep(['.', '--format', 'json'], { cwd })).stdout;
    const findings = (JSON.parse(current) as Report).findings;
    // What the previous release wrote: the first scheme's fingerprints, no edges.
    const v1 = { version: 1, tool: 'lockstep', findings: findings.map((finding) => ({ fingerprint: fingerprintFindingV1(finding.kind, finding.steps) })) };
    fs.writeFileSync(path.join(cwd, 'lockstep-baseline.json'), JSON.stringify(v1));
    const { code, report } = await check(cwd);
    expect(code).toBe(0);
    expect(report.suppressed.baselined).toEqual(findings.map((finding) => finding.fingerprint));
  });
});
