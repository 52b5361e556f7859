/**
 * Files nested so deeply that TypeScript's parser or binder, or our own walker, runs out of stack are
 * input errors naming the file (code `too-deep`, exit 2); every other file is still analysed.
 *
 * Limits measured on Node 20 with the default stack (~1 MB), in lockstep's own process: about 1,000
 * nested parentheses in an initializer or 1,800 in a return, 1,700 nested blocks, 1,100 nested `if`s
 * and 1,900 nested arrow functions overflow TypeScript's parser or binder; a 2,500-branch `else if`
 * chain or a 2,300-term `1 + 1 + …` passes TypeScript and overflows a recursive walk. The exact figure
 * moves with JIT frame sizes, so the strict cases here are ten times over it, and the cases at the
 * issue's sizes only require that nothing falls over.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/report-model.js';
import { runLockstep } from '../support/run-cli.js';
import { INVERSION, tempProject } from '../support/temp-project.js';

const LOCK = `import { Lock } from '@lockstep/primitives';\nconst gate = new Lock();\n`;
const elseIfs = (branches: number): string => {
  let text = `${LOCK}export function pick(x: number): void {\n  gate.acquire();\n  if (x === 0) {}`;
  for (let branch = 1; branch < branches; branch++) text += ` else if (x === ${branch}) {}`;
  return `${text}\n  gate.release();\n}\n`;
};
const HOSTILE = {
  parens: (depth: number) => `export const x = ${'('.repeat(depth)}1${')'.repeat(depth)};\n`,
  blocks: (depth: number) => `export function f(): void {${'{'.repeat(depth)}${'}'.repeat(depth)}}\n`,
  'else-if': elseIfs,
  arrows: (depth: number) => `export const h = ${'() => '.repeat(depth)}1;\n`,
  // Passes TypeScript's parser and binder (both iterate over binary operators): overflows a recursive walk.
  'binary-chain': (terms: number) => `${LOCK}export function sum(): number {\n  gate.acquire();\n  return 1${' + 1'.repeat(terms)};\n}\n`,
};
const AT_ISSUE_SIZE = { parens: 1_000, blocks: 2_000, 'else-if': 3_000, arrows: 2_000, 'binary-chain': 3_000 };
const FAR_OVER = { parens: 10_000, blocks: 20_000, 'else-if': 30_000, arrows: 20_000, 'binary-chain': 30_000 };

const files: Record<string, string> = { ...INVERSION };
for (const [kind, make] of Object.entries(HOSTILE)) {
  files[`issue/${kind}.ts`] = make(AT_ISSUE_SIZE[kind as keyof typeof HOSTILE]);
  files[`over/${kind}.ts`] = make(FAR_OVER[kind as keyof typeof HOSTILE]);
}
const project = tempProject(files);
afterAll(() => project.remove());

const INVERSION_FILES = Object.keys(INVERSION);

describe.concurrent('deeply nested files', () => {
  for (const kind of Object.keys(HOSTILE)) {
    it(`leaves out ${kind} nested too deeply with an error naming it, and analyses the rest`, async () => {
      const over = `over/${kind}.ts`;
      const atIssueSize = `issue/${kind}.ts`;
      const run = await runLockstep([...INVERSION_FILES, atIssueSize, over, '--format', 'json'], { cwd: project.dir });
      expect(run.stderr).not.toContain('internal error');
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`${over}: nested too deeply`);
      const report = JSON.parse(run.stdout) as Report;
      expect(report.files).toEqual(expect.arrayContaining(INVERSION_FILES));
      expect(report.files).not.toContain(over);
      expect(report.errors).toContainEqual(expect.objectContaining({ code: 'too-deep', file: over }));
      // At the issue's size it depends on the machine's stack: analysed, or a too-deep error naming it.
      if (!report.files.includes(atIssueSize)) expect(report.errors).toContainEqual(expect.objectContaining({ code: 'too-deep', file: atIssueSize }));
      expect(report.errors.every((error) => error.code === 'too-deep')).toBe(true);
      expect(report.findings).toHaveLength(1);
    });
  }

  it('leaves out every too-deep file of a directory and reports each once', async () => {
    const run = await runLockstep(['.', '--format', 'json'], { cwd: project.dir });
    expect(run.stderr).not.toContain('internal error');
    expect(run.code).toBe(2);
    const report = JSON.parse(run.stdout) as Report;
    const tooDeep = report.errors.filter((error) => error.code === 'too-deep').map((error) => error.file);
    for (const kind of Object.keys(HOSTILE)) expect(tooDeep).toContain(`over/${kind}.ts`);
    expect(new Set(tooDeep).size).toBe(tooDeep.length);
    expect(report.files).toEqual(expect.arrayContaining(INVERSION_FILES));
    expect(report.findings).toHaveLength(1);
  });
});
