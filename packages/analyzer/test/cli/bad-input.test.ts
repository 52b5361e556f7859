/**
 * Bad input: each problem is one clear line on standard error naming the file, the exit code is 2,
 * and every file that could be analysed is still reported. Never a stack trace.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/report-model.js';
import { runLockstep } from '../support/run-cli.js';
import { INVERSION, tempProject } from '../support/temp-project.js';

const project = tempProject({
  ...INVERSION,
  'broken.ts': `export function broken( {\n  return 1 +;\n}\n`,
  'bad-tsconfig/tsconfig.json': `{ "compilerOptions": { "strict": true, } "include": [ }`,
  'unknown-option/tsconfig.json': `{ "compilerOptions": { "strictest": true }, "include": ["../*.ts"] }`,
  'bad-config/lockstep.config.json': `{ "lockTyps": [] }`,
  'bad-config/locks.ts': INVERSION['locks.ts'],
  'bad-config/one.ts': INVERSION['one.ts'],
  'bad-config/two.ts': INVERSION['two.ts'],
});
afterAll(() => project.remove());

function findingsOf(stdout: string): number {
  return (JSON.parse(stdout) as Report).findings.length;
}

function expectNoStackTrace(stderr: string): void {
  expect(stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
}

describe.concurrent('bad input', () => {
  it('names a missing path, exits 2, and still reports the paths that exist', async () => {
    const run = await runLockstep(['missing-dir', 'locks.ts', 'one.ts', 'two.ts', '--format', 'json'], { cwd: project.dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('missing-dir');
    expect(findingsOf(run.stdout)).toBe(1);
    expectNoStackTrace(run.stderr);
  });

  it('names a file that does not parse with its line and column, and analyses the others', async () => {
    const run = await runLockstep(['locks.ts', 'one.ts', 'two.ts', 'broken.ts', '--format', 'json'], { cwd: project.dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/broken\.ts:\d+:\d+: /);
    const report = JSON.parse(run.stdout) as Report;
    expect(report.files).toEqual(['locks.ts', 'one.ts', 'two.ts']);
    expect(report.errors.map((error) => error.code)).toContain('parse');
    expect(report.findings).toHaveLength(1);
  });

  it('names a tsconfig that is not valid JSON', async () => {
    const run = await runLockstep(['--project', 'bad-tsconfig/tsconfig.json', '--format', 'json'], { cwd: project.dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('bad-tsconfig/tsconfig.json');
    expectNoStackTrace(run.stderr);
  });

  it('names a tsconfig that does not exist', async () => {
    const run = await runLockstep(['--project', 'nowhere/tsconfig.json'], { cwd: project.dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('nowhere/tsconfig.json');
  });

  it("reports a tsconfig's unknown compiler option and analyses with the rest", async () => {
    const run = await runLockstep(['--project', 'unknown-option/tsconfig.json', '--format', 'json'], { cwd: project.dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('strictest');
  });

  it('names a config file with an unknown key, and still analyses with the defaults', async () => {
    const run = await runLockstep(['.', '--format', 'json'], { cwd: path.join(project.dir, 'bad-config') });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('lockstep.config.json');
    expect(run.stderr).toContain('lockTyps');
    expect(findingsOf(run.stdout)).toBe(1);
  });

  it('rejects unknown options and formats with usage help, not a stack trace', async () => {
    const unknown = await runLockstep(['--fromat', 'json'], { cwd: project.dir });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--fromat');
    expect(unknown.stderr).toContain('lockstep --help');
    expectNoStackTrace(unknown.stderr);
    // Far from every option: the plain fact, in the same words as a near miss.
    const bogus = await runLockstep(['--bogus'], { cwd: project.dir });
    expect(bogus.code).toBe(2);
    expect(bogus.stderr).toContain("unknown option '--bogus' (a path that starts with '-' goes after '--': lockstep -- --bogus)");
    expect(bogus.stderr).not.toContain('Unknown option');
    const format = await runLockstep(['--format', 'xml'], { cwd: project.dir });
    expect(format.code).toBe(2);
    expect(format.stderr).toContain('xml');
    const update = await runLockstep(['--update-baseline'], { cwd: project.dir });
    expect(update.code).toBe(2);
    expect(update.stderr).toContain('--baseline');
  });

  it('names a baseline file that is not a baseline', async () => {
    const run = await runLockstep(['locks.ts', 'one.ts', 'two.ts', '--baseline', 'broken.ts', '--format', 'json'], { cwd: project.dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('broken.ts');
    expect(findingsOf(run.stdout)).toBe(1);
  });
});

describe.concurrent('output', () => {
  it('prints help and version with exit 0', async () => {
    const help = await runLockstep(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: lockstep');
    const version = await runLockstep(['--version']);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('writes the report to --output and nothing to stdout', async () => {
    const run = await runLockstep(['locks.ts', 'one.ts', 'two.ts', '--format', 'sarif', '--output', 'out/report.sarif'], { cwd: project.dir });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    const log = JSON.parse(fs.readFileSync(path.join(project.dir, 'out/report.sarif'), 'utf8')) as { version: string };
    expect(log.version).toBe('2.1.0');
  });

  it('colours text only when asked or on a terminal, and NO_COLOR wins', async () => {
    const args = ['locks.ts', 'one.ts', 'two.ts'];
    const plain = await runLockstep(args, { cwd: project.dir });
    expect(plain.stdout).not.toContain('\u001b[');
    const forced = await runLockstep(args, { cwd: project.dir, env: { FORCE_COLOR: '1', NO_COLOR: '' } });
    expect(forced.stdout).toContain('\u001b[');
    const both = await runLockstep(args, { cwd: project.dir, env: { FORCE_COLOR: '1', NO_COLOR: '1' } });
    expect(both.stdout).not.toContain('\u001b[');
  });
});
