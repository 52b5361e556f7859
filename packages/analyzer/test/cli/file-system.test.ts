/**
 * The file system as it is: links that loop or point back up the tree, paths that cannot be looked at,
 * FIFOs where files are expected, directories that cannot be read. Each is an input error naming the
 * path (exit 2), never a crash, a hang or a silent skip, and every real file is analysed exactly once.
 */
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/report-model.js';
import { REPO_ROOT, runLockstep, type CliRun } from '../support/run-cli.js';
import { INVERSION, tempProject } from '../support/temp-project.js';

const INVERSION_FILES = Object.keys(INVERSION);
// Room for a few CLI runs at once on a busy 2-core machine; a FIFO that got opened still hangs past it.
const CLI_TIMEOUT_MS = 120_000;
const isRoot = process.getuid?.() === 0;
// Root reads every directory whatever its mode: the permission cases then run lockstep as nobody.
const NOBODY = 65534;

/** `lockstep` as another user (only root may do this), so that directory modes apply to it. */
function runAs(uid: number, args: readonly string[], cwd: string): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [path.join(REPO_ROOT, 'packages/analyzer/bin/lockstep.js'), ...args],
      { cwd, uid, gid: uid, env: { ...process.env, NO_COLOR: '1', LOCKSTEP_NO_PROGRESS: '1' }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : undefined;
        if (code === undefined) reject(error ?? new Error('no exit code'));
        else resolve({ code, stdout, stderr });
      },
    );
  });
}

function project(files: Readonly<Record<string, string>>, build: (dir: string) => void): string {
  const created = tempProject(files);
  cleanups.push(() => {
    // A directory without permissions cannot be emptied until it has them back (links not followed:
    // some of them loop).
    const restore = (directory: string): void => {
      fs.chmodSync(directory, 0o755);
      for (const entry of fs.readdirSync(directory, { withFileTypes: true })) if (entry.isDirectory()) restore(path.join(directory, entry.name));
    };
    restore(created.dir);
    created.remove();
  });
  build(created.dir);
  return created.dir;
}
const cleanups: (() => void)[] = [];
afterAll(() => {
  for (const cleanup of cleanups) cleanup();
});

function reportOf(run: CliRun): Report {
  return JSON.parse(run.stdout) as Report;
}

describe.concurrent('links', () => {
  it('reads each real directory once: a link to the tree itself and links between sibling directories neither repeat nor loop', async () => {
    const dir = project({ 'a/locks.ts': INVERSION['locks.ts'], 'a/one.ts': INVERSION['one.ts'].replace('./locks.js', './locks.js'), 'b/two.ts': INVERSION['two.ts'].replace('./locks.js', '../a/locks.js') }, (root) => {
      fs.symlinkSync('.', path.join(root, 'self'));
      fs.symlinkSync('..', path.join(root, 'a/up'));
      fs.symlinkSync('../b', path.join(root, 'a/to-b'));
      fs.symlinkSync('../a', path.join(root, 'b/to-a'));
      fs.symlinkSync('a/one.ts', path.join(root, 'alias.ts'));
    });
    const run = await runLockstep(['--format', 'json'], { cwd: dir });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    const report = reportOf(run);
    expect(report.files).toEqual(['a/locks.ts', 'a/one.ts', 'b/two.ts']);
    expect(report.findings).toHaveLength(1);
  });

  it('names a link that loops on itself (ELOOP), exits 2, and analyses the rest', async () => {
    const dir = project(INVERSION, (root) => {
      fs.symlinkSync('loop', path.join(root, 'loop'));
      fs.symlinkSync('nowhere.ts', path.join(root, 'dangling.ts'));
    });
    const run = await runLockstep(['.', '--format', 'json'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^lockstep: loop: cannot read loop: ELOOP: too many symbolic links/m);
    const report = reportOf(run);
    expect(report.files).toEqual(INVERSION_FILES);
    expect(report.errors).toEqual([expect.objectContaining({ code: 'read', file: 'loop' })]);
    expect(report.findings).toHaveLength(1);
  });
});

describe.concurrent('paths that cannot be looked at', () => {
  const dir = project(INVERSION, () => undefined);

  it('names a path too long for the system (ENAMETOOLONG) and one under a file (ENOTDIR)', async () => {
    const long = `${'x'.repeat(300)}.ts`;
    const run = await runLockstep([...INVERSION_FILES, long, 'locks.ts/inner.ts', '--format', 'json'], { cwd: dir });
    expect(run.stderr).not.toContain('internal error');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${long}: ENAMETOOLONG: name too long`);
    expect(run.stderr).toContain('locks.ts/inner.ts');
    expect(reportOf(run).findings).toHaveLength(1);
  });
});

describe.concurrent('FIFOs and devices where a file is expected', () => {
  const dir = project(INVERSION, (root) => {
    fs.mkdirSync(path.join(root, 'pipes'));
    for (const name of ['lockstep.config.json', 'baseline.json', 'tsconfig.json']) execFileSync('mkfifo', [path.join(root, 'pipes', name)]);
  });

  for (const [option, file] of [
    ['--config', 'pipes/lockstep.config.json'],
    ['--baseline', 'pipes/baseline.json'],
    ['--project', 'pipes/tsconfig.json'],
    ['--config', '/dev/zero'],
  ] as const) {
    it(`refuses ${option} ${file} without opening it, exit 2`, async () => {
      const run = await runLockstep([option, file, ...(option === '--project' ? [] : INVERSION_FILES), '--format', 'json'], { cwd: dir });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`${file}: not a regular file`);
      if (option !== '--project') expect(reportOf(run).findings).toHaveLength(1);
    }, CLI_TIMEOUT_MS);
  }

  it('refuses a lockstep.config.json that the search finds and that is a FIFO, without opening it', async () => {
    const searched = project(INVERSION, (root) => execFileSync('mkfifo', [path.join(root, 'lockstep.config.json')]));
    const run = await runLockstep(['--format', 'json'], { cwd: searched });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('lockstep.config.json: not a regular file (a FIFO)');
    expect(reportOf(run).findings).toHaveLength(1);
  }, CLI_TIMEOUT_MS);

  it('never reads a FIFO met in a directory', async () => {
    const run = await runLockstep(['--format', 'json'], { cwd: dir });
    expect(run.code).toBe(1);
    expect(reportOf(run).files).toEqual(INVERSION_FILES);
  }, CLI_TIMEOUT_MS);
});

describe.concurrent('directories that cannot be read', () => {
  const run = (args: readonly string[], cwd: string): Promise<CliRun> => (isRoot ? runAs(NOBODY, args, cwd) : runLockstep(args, { cwd }));
  // Without root, or with it, the test user must be one whom the modes stop.
  const canTest = !isRoot || process.platform === 'linux';

  it.skipIf(!canTest)('names a directory it may not read (mode 000), exits 2, and analyses the rest', async () => {
    const dir = project({ ...INVERSION, 'secret/hidden.ts': 'export const hidden = 1;\n' }, (root) => {
      fs.chmodSync(root, 0o755);
      fs.chmodSync(path.join(root, 'secret'), 0o000);
    });
    const result = await run(['--format', 'json'], dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('secret: cannot read directory secret: EACCES: permission denied');
    expect(reportOf(result).files).toEqual(INVERSION_FILES);
    expect(reportOf(result).findings).toHaveLength(1);
  });

  it.skipIf(!canTest)('names the current directory when it may not be read, rather than finding nothing', async () => {
    const dir = project(INVERSION, (root) => {
      // Searchable, so the command can start in it, but not readable.
      fs.chmodSync(root, 0o711);
    });
    const result = await run([], dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('cannot read directory');
    expect(result.stdout).not.toContain('no lock-order problems found');
  });
});

function execFileSync(command: string, args: readonly string[]): void {
  const result = spawnSync(command, args);
  if (result.status !== 0) throw new Error(`${command} failed: ${String(result.stderr)}`);
}
