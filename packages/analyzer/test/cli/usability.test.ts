/**
 * The command line as people meet it: typos, reports written to files, pipes, inputs outside the
 * current directory, names that would otherwise drive the terminal or forge links, odd file names.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/report-model.js';
import { runLockstep } from '../support/run-cli.js';
import { INVERSION, tempProject } from '../support/temp-project.js';

const INVERSION_FILES = Object.keys(INVERSION);
const project = tempProject({ ...INVERSION, 'empty/README.md': 'no sources here\n' });
const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-cwd-'));
afterAll(() => {
  project.remove();
  fs.rmSync(elsewhere, { recursive: true, force: true });
});

describe.concurrent('globs', () => {
  it('takes a glob, relative or absolute, from inside the project or elsewhere (an absolute one crashed)', async () => {
    for (const [glob, cwd] of [
      ['*.ts', project.dir],
      [path.join(project.dir, '*.ts'), project.dir],
      [path.join(project.dir, '**', '*.ts'), elsewhere],
    ] as const) {
      const run = await runLockstep([glob, '--format', 'json'], { cwd });
      expect(run.stderr).not.toContain('internal error');
      expect(run.code, `${glob} from ${cwd}: ${run.stderr}`).toBe(1);
      expect((JSON.parse(run.stdout) as Report).files).toEqual(INVERSION_FILES.filter((file) => file.endsWith('.ts')).sort());
    }
  });
});

describe.concurrent('large inputs', () => {
  // Forty locks taken one after another and never released: 780 edges, the last ones each with 38
  // other locks held. The report lists at most 32 of those per witness (the graph keeps them all).
  const many = tempProject({
    'many.ts': `import { Lock } from '@lockstep/primitives';\n${Array.from({ length: 40 }, (_, i) => `export const lock${i} = new Lock();`).join('\n')}\nexport function takeAll(): void {\n${Array.from({ length: 40 }, (_, i) => `  lock${i}.acquire();`).join('\n')}\n}\n`,
  });
  afterAll(() => many.remove());

  it('lists at most 32 other held locks per witness in the JSON report, and every edge', async () => {
    const run = await runLockstep(['many.ts', '--format', 'json'], { cwd: many.dir });
    expect(run.stderr).toBe('');
    const report = JSON.parse(run.stdout) as Report;
    expect(report.edges).toHaveLength((40 * 39) / 2);
    const longest = Math.max(...report.edges.flatMap((edge) => edge.witnesses.map((witness) => witness.alsoHeld.length)));
    expect(longest).toBe(32);
  });
});

describe.concurrent('typos and empty runs', () => {
  it('suggests the option meant by a mistyped one', async () => {
    const run = await runLockstep(['--fromat', 'json'], { cwd: project.dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("unknown option '--fromat': did you mean --format?");
    const format = await runLockstep(['--format', 'jsno'], { cwd: project.dir });
    expect(format.stderr).toContain('did you mean json?');
  });

  it('says "nothing analysed", never "no lock-order problems found", when no file was analysed, and exits 2', async () => {
    const run = await runLockstep(['empty'], { cwd: project.dir });
    expect(run.code).toBe(2);
    expect(run.stdout).toContain('lockstep: nothing analysed');
    expect(run.stdout).not.toContain('no lock-order problems found');
    const bare = await runLockstep([], { cwd: path.join(project.dir, 'empty') });
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain('no source files to analyse');
    expect(bare.stdout).toContain('lockstep: nothing analysed');
  });
});

describe.concurrent('output', () => {
  it('still prints the one-line summary on stderr when the report goes to --output', async () => {
    const run = await runLockstep([...INVERSION_FILES, '--output', 'out/report.txt'], { cwd: project.dir });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^lockstep: 1 finding \(1 lock-order cycle\) in 3 files analysed/m);
  });

  it('--exit-zero exits 0 with findings, for rendering --format dot in a pipe; input errors still exit 2', async () => {
    const run = await runLockstep([...INVERSION_FILES, '--format', 'dot', '--exit-zero'], { cwd: project.dir });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('subgraph cluster_legend {');
    expect(run.stdout).toContain('color=red');
    const broken = await runLockstep([...INVERSION_FILES, 'missing.ts', '--exit-zero'], { cwd: project.dir });
    expect(broken.code).toBe(2);
  });

  it('tells how to fix a cycle in the text report', async () => {
    const run = await runLockstep(INVERSION_FILES, { cwd: project.dir });
    expect(run.stdout).toContain('fix: take first and second in one order everywhere, or take one gate lock before them');
  });
});

describe.concurrent('inputs outside the current directory', () => {
  it('analyses a directory elsewhere, paths relative to it', async () => {
    const run = await runLockstep([project.dir, '--format', 'json'], { cwd: elsewhere });
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as Report;
    expect(report.root).toBe(project.dir);
    expect(report.files).toEqual(INVERSION_FILES);
    expect(report.findings).toHaveLength(1);
  });

  it('takes the common directory of files given from elsewhere, or --root', async () => {
    const files = INVERSION_FILES.map((file) => path.join(project.dir, file));
    const run = await runLockstep([...files, '--format', 'json'], { cwd: elsewhere });
    expect(run.code).toBe(1);
    expect((JSON.parse(run.stdout) as Report).files).toEqual(INVERSION_FILES);
    const rooted = await runLockstep([...files, '--root', path.dirname(project.dir), '--format', 'json'], { cwd: elsewhere });
    const prefix = path.basename(project.dir);
    expect((JSON.parse(rooted.stdout) as Report).files).toEqual(INVERSION_FILES.map((file) => `${prefix}/${file}`));
  });
});

describe.concurrent('names from the file system and the code', () => {
  const SELF_DEADLOCK = `import { Lock } from '@lockstep/primitives';\nexport const l = new Lock();\nexport function f(): void {\n  l.acquire();\n  l.acquire();\n}\n`;
  const ESC = '\u001b';
  const odd = tempProject({
    'we[ir]d/x.ts': SELF_DEADLOCK,
    '{a,b}/y.ts': SELF_DEADLOCK,
    'star*/z.ts': SELF_DEADLOCK,
    'back\\slash.ts': SELF_DEADLOCK,
    [`e${ESC}[31mvil.ts`]: SELF_DEADLOCK,
    [`broken${ESC}]0;title${String.fromCharCode(7)}.ts`]: 'export const x = 1 +;\n',
    'web-locks.ts': `export async function a(): Promise<void> {\n  await navigator.locks.request('[x](https://evil.example)', async () => {\n    await navigator.locks.request('*b*', async () => {});\n  });\n}\nexport async function b(): Promise<void> {\n  await navigator.locks.request('*b*', async () => {\n    await navigator.locks.request('[x](https://evil.example)', async () => {});\n  });\n}\n`,
  });
  afterAll(() => odd.remove());

  it('takes directories whose names hold glob characters as they are', async () => {
    const run = await runLockstep(['we[ir]d', '{a,b}', 'star*', '--format', 'json'], { cwd: odd.dir });
    expect(run.code).toBe(1);
    expect((JSON.parse(run.stdout) as Report).files).toEqual(['star*/z.ts', 'we[ir]d/x.ts', '{a,b}/y.ts']);
  });

  it('names a file with a backslash in its name by that name, never as a path with "/"', async () => {
    const run = await runLockstep(['back\\slash.ts', 'we[ir]d/x.ts'], { cwd: odd.dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('back\\slash.ts: cannot analyse back\\slash.ts');
    expect(run.stderr).not.toContain('back/slash.ts');
  });

  it('escapes control characters of file names in the text report and on stderr', async () => {
    const run = await runLockstep(['.'], { cwd: odd.dir });
    expect(run.stdout).not.toContain(ESC);
    expect(run.stderr).not.toContain(ESC);
    expect(run.stderr).not.toContain(String.fromCharCode(7));
    expect(run.stdout).toContain('e\\x1b[31mvil.ts:4:3');
    expect(run.stderr).toContain('broken\\x1b]0;title\\x07.ts:1:');
  });

  it('escapes SARIF link syntax in lock names, so a Web Lock name cannot become a link', async () => {
    const run = await runLockstep(['web-locks.ts', '--format', 'sarif'], { cwd: odd.dir });
    expect(run.code).toBe(1);
    // Every message.text of the log (snippets are source text, not messages, and stay as they are).
    const texts: string[] = [];
    const collect = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(collect);
      else if (typeof value === 'object' && value !== null) {
        for (const [key, child] of Object.entries(value)) {
          if (key === 'message' && typeof (child as { text?: unknown }).text === 'string') texts.push((child as { text: string }).text);
          collect(child);
        }
      }
    };
    collect(JSON.parse(run.stdout));
    const named = texts.filter((text) => text.includes('evil.example'));
    expect(named.length).toBeGreaterThan(0);
    for (const text of named) {
      expect(text).toContain('\\[x\\](https://evil.example)');
      expect(text).not.toMatch(/(?<!\\)\[x(?<!\\)\]\(/);
    }
  });
});
